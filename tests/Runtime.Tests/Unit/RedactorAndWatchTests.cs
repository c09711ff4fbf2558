using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Events;

namespace MetricsOperator.Runtime.Tests.Unit;

public class RedactorAndWatchTests
{
    [Theory]
    [InlineData("Authorization: Bearer abc.def.ghi failed", "Authorization: Bearer [redacted] failed")]
    [InlineData("call with token=s3cr3t&x=1 failed", "call with token=[redacted]&x=1 failed")]
    [InlineData("password: hunter2", "password: [redacted]")]
    [InlineData("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig here", "jwt [redacted] here")]
    [InlineData("influx token Zk3xQ9vT2LmN8pR4sW6yB1cD5eF7gH0jK2lM4nP6qR8sT0uV== leaked", "influx token [redacted] leaked")]
    public void Obvious_secrets_are_masked(string input, string expected) => Redactor.Redact(input).ShouldBe(expected);

    [Theory]
    [InlineData("Deployment metrics/influxdb-very-long-name-of-a-deployment-1234 is not ready")]
    [InlineData("object 0b0f1a2c-1234-4000-8000-000000000001 changed")]
    [InlineData("ConfigMap ns/telegraf applied")]
    [InlineData("spec.telegraf.kafka.sasl.secret: Secret \"telegraf-kafka-sasl\" not found")]
    [InlineData("spec.grafana.credentialsSecret.name: required when mode is external")]
    public void Names_and_uids_pass(string input) => Redactor.Redact(input).ShouldBe(input);

    [Fact]
    public void Watch_lines_parse_into_objects_bookmarks_and_error_statuses()
    {
        var added = KubeApi.ParseWatchLine<V1ConfigMap>("""{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n","resourceVersion":"7"}}}""");
        added.Type.ShouldBe(WatchEventType.Added);
        added.Entity!.Metadata.ResourceVersion.ShouldBe("7");

        var bookmark = KubeApi.ParseWatchLine<V1ConfigMap>("""{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"12"}}}""");
        bookmark.Type.ShouldBe(WatchEventType.Bookmark);
        bookmark.Entity!.Metadata.ResourceVersion.ShouldBe("12");

        var gone = KubeApi.ParseWatchLine<V1ConfigMap>("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (200)","reason":"Expired","code":410}}""");
        gone.Type.ShouldBe(WatchEventType.Error);
        gone.Status!.Code.ShouldBe(410);
    }
}

using System.Text;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks.WriteAccess;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

/// <summary>The listener token's Secrets, its rotation rule and what Telegraf is given, as pure functions.</summary>
public sealed class WriteAccessBuilderTests
{
    private static readonly DateTime Made = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_copy_holds_what_both_clients_read_and_names_its_source()
    {
        var stack = Stacks.MinimalSample();
        stack.Metadata.NamespaceProperty = "metrics";

        var copy = WriteTokenSecrets.Copy(DefaultedStack.Of(stack), "gafaelfawr", "tok", Made);

        copy.Metadata.Name.ShouldBe("metrics-write-token");
        copy.Metadata.NamespaceProperty.ShouldBe("gafaelfawr");
        copy.Metadata.OwnerReferences.ShouldBeNull();
        copy.Metadata.Annotations[WriteTokenSecrets.SourceAnnotation].ShouldBe("metrics/metrics");
        copy.Data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetString(d.Value)).ShouldBe(new Dictionary<string, string>
        {
            ["METRICS_BUCKET"] = "metrics",
            ["METRICS_ORG"] = "rubin",
            ["METRICS_TOKEN"] = "tok",
            ["METRICS_URL"] = "http://metrics-telegraf.metrics.svc:8186",
        }, ignoreOrder: true);
        WriteTokenSecrets.IsCopyOf(copy, stack).ShouldBeTrue();

        var sameNameElsewhere = Stacks.MinimalSample();
        sameNameElsewhere.Metadata.NamespaceProperty = "other";
        WriteTokenSecrets.IsCopyOf(copy, sameNameElsewhere).ShouldBeFalse("a stack of the same name in another namespace does not own it");
        WriteTokenSecrets.IsCopyOf(new V1Secret { Metadata = new V1ObjectMeta { Name = "metrics-write-token" } }, stack).ShouldBeFalse("a hand-made Secret is not a copy");
    }

    [Fact]
    public void The_token_is_made_when_missing_replaced_on_a_new_request_or_when_due_and_otherwise_kept()
    {
        var stack = Stacks.MinimalSample();
        ListenerTokenPolicy.Decide(stack, null, Made).ShouldBe(ListenerTokenChange.Missing);

        var source = WriteTokenSecrets.Source(stack, "tok", Made, answeredRequest: null);
        ListenerTokenPolicy.Decide(stack, source, Made.AddYears(5)).ShouldBe(ListenerTokenChange.None, "without rotateEvery age alone rotates nothing");

        stack.Metadata.Annotations = new Dictionary<string, string> { [WriteTokenSecrets.RotateAnnotation] = "one" };
        ListenerTokenPolicy.Decide(stack, source, Made).ShouldBe(ListenerTokenChange.Requested);
        var answered = WriteTokenSecrets.Source(stack, "tok2", Made, answeredRequest: "one");
        ListenerTokenPolicy.Decide(stack, answered, Made).ShouldBe(ListenerTokenChange.None, "a request is answered once");

        stack.Spec.Telegraf = new TelegrafSpec { WriteAccess = new WriteAccessSpec { RotateEvery = "90d" } };
        ListenerTokenPolicy.RotateAt(stack, Made).ShouldBe(Made.AddDays(90));
        ListenerTokenPolicy.Decide(stack, answered, Made.AddDays(90).AddSeconds(-1)).ShouldBe(ListenerTokenChange.None);
        ListenerTokenPolicy.Decide(stack, answered, Made.AddDays(90)).ShouldBe(ListenerTokenChange.Expired);

        var emptied = WriteTokenSecrets.Source(stack, "tok", Made, answeredRequest: "one");
        emptied.Data["token"] = [];
        ListenerTokenPolicy.Decide(stack, emptied, Made).ShouldBe(ListenerTokenChange.Missing, "an empty token would turn Telegraf's check off");
    }

    [Fact]
    public void Telegraf_requires_the_token_by_default_and_rolls_when_it_changes()
    {
        var stack = Stacks.MinimalSample();
        TelegrafConfigRenderer.Render(DefaultedStack.Of(stack)).ShouldContain("[[inputs.influxdb_v2_listener]]\n  service_address = \":8186\"\n  token = \"${LISTENER_TOKEN}\"\n");
        var env = Template(stack, "r1").Spec.Containers.Single().Env.Single(e => e.Name == "LISTENER_TOKEN");
        (env.ValueFrom.SecretKeyRef.Name, env.ValueFrom.SecretKeyRef.Key).ShouldBe(("metrics-listener-token", "token"));
        Template(stack, "r1").Metadata.Annotations["metrics.lsst.io/listener-token-revision"].ShouldBe("r1");
        Template(stack, "r2").Metadata.Annotations["metrics.lsst.io/listener-token-revision"].ShouldBe("r2");

        var open = Stacks.MinimalSampleWith(spec => spec.Telegraf = new TelegrafSpec { WriteAccess = new WriteAccessSpec { RequireToken = false } });
        TelegrafConfigRenderer.Render(DefaultedStack.Of(open)).ShouldNotContain("token = \"${LISTENER_TOKEN}\"");
        Template(open, "r1").Spec.Containers.Single().Env.ShouldNotContain(e => e.Name == "LISTENER_TOKEN");
    }

    private static V1PodTemplateSpec Template(V1Alpha1MetricsStack stack, string revision) =>
        ((V1Deployment)TelegrafBuilder.Workload(DefaultedStack.Of(stack), listenerTokenRevision: revision)).Spec.Template;
}

using System.Text.Json;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Json;
using MetricsOperator.Runtime.Tests.Integration;

namespace MetricsOperator.Runtime.Tests.Unit;

/// <summary>The runtime's JSON: source-generated metadata only, lists read through their item kind.</summary>
public sealed class KubeJsonTests
{
    [Fact]
    public void A_kind_nobody_registered_fails_naming_it_instead_of_falling_back_to_reflection()
    {
        var thrown = Should.Throw<NotSupportedException>(() => KubeJson.Deserialize<Unregistered>("""{"metadata":{"name":"x"}}"""));
        thrown.Message.ShouldContain(nameof(Unregistered));
    }

    [Fact]
    public void A_built_in_kind_nobody_registered_fails_too_since_KubernetesClients_context_is_not_asked()
    {
        // KubernetesClient's own context knows every model, this one included; asking it would put the metadata of all
        // of them into a Native AOT binary. The runtime knows Status, Lease and Event; a program registers the rest.
        var thrown = Should.Throw<NotSupportedException>(() => KubeJson.Deserialize<V1CSIDriver>("""{"metadata":{"name":"x"}}"""));
        thrown.Message.ShouldContain(nameof(V1CSIDriver));

        KubeJson.Deserialize<V1Status>("""{"code":410,"reason":"Expired"}""")!.Code.ShouldBe(410);
        KubeJson.Deserialize<V1Lease>("""{"metadata":{"name":"l"},"spec":{"renewTime":"2026-12-03T10:11:12.123456Z"}}""")!.Spec.RenewTime
            .ShouldBe(new DateTime(2026, 12, 3, 10, 11, 12, DateTimeKind.Utc).AddTicks(1234560));
    }

    [Fact]
    public void A_list_response_is_read_with_the_item_kinds_metadata_and_no_list_type_registered()
    {
        const string List = """{"apiVersion":"runtime.test.metrics.lsst.io/v1","kind":"WidgetList","metadata":{"resourceVersion":"42","continue":"next"},"items":[{"metadata":{"name":"a","namespace":"n"},"spec":{"message":"hi"}},{"metadata":{"name":"b"}}]}""";
        var list = JsonSerializer.Deserialize(List, ObjectListJson<Widget>.Info)!;

        list.Metadata!.ResourceVersion.ShouldBe("42");
        list.Metadata.ContinueProperty.ShouldBe("next");
        list.Items.Select(w => w.Metadata.Name).ShouldBe(["a", "b"]);
        list.Items[0].Spec.Message.ShouldBe("hi");
    }

    [Fact]
    public void An_empty_list_whose_items_are_null_reads_as_no_items()
    {
        // The API server writes "items": null for an empty list of a custom resource (apiextensions-apiserver).
        var list = JsonSerializer.Deserialize("""{"metadata":{"resourceVersion":"7"},"items":null}""", ObjectListJson<Widget>.Info)!;
        list.Items.ShouldBeEmpty();
        list.Metadata!.ResourceVersion.ShouldBe("7");
    }

    [Fact]
    public void Objects_are_written_as_the_api_server_writes_them()
    {
        var map = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "c", CreationTimestamp = new DateTime(2026, 12, 2, 10, 11, 12, DateTimeKind.Utc) },
            Data = new Dictionary<string, string> { ["k"] = "v" },
        };

        // camelCase, nulls left out, RFC 3339 time: what KubernetesClient's own serialiser writes.
        KubeJson.Serialize(map).ShouldBe(KubernetesJson.Serialize(map));
        KubeJson.Serialize(map).ShouldContain("\"creationTimestamp\":\"2026-12-02T10:11:12Z\"");
    }

    private sealed class Unregistered : IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = "v1";

        public string Kind { get; set; } = "Unregistered";

        public V1ObjectMeta Metadata { get; set; } = new();
    }
}

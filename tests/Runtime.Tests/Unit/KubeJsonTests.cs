using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Tests.Unit;

/// <summary>
/// The runtime's source-generated JSON against KubernetesClient's reflection-based KubernetesJson, which it replaces:
/// the same text for the runtime's own types (so applied hashes and patches do not change), lists read item by item,
/// and a type no context covers fails loudly where reflection is off (a trimmed or AOT binary).
/// </summary>
public class KubeJsonTests
{
    private static readonly DateTime Now = new(2026, 12, 2, 7, 15, 39, 123, 456, DateTimeKind.Utc);

    [Fact]
    public void Runtime_types_serialise_as_KubernetesJson_does()
    {
        var lease = new V1Lease
        {
            ApiVersion = "coordination.k8s.io/v1",
            Kind = "Lease",
            Metadata = new V1ObjectMeta { Name = "leader", NamespaceProperty = "ops", CreationTimestamp = Now },
            Spec = new V1LeaseSpec { HolderIdentity = "pod-1", LeaseDurationSeconds = 15, AcquireTime = Now, RenewTime = Now.AddSeconds(2) },
        };
        var status = new V1Status { Code = 409, Reason = "Conflict", Message = "stale", Status = "Failure" };
        var ev = new Corev1Event { Metadata = new V1ObjectMeta { Name = "e" }, Count = 2, LastTimestamp = Now, EventTime = Now, InvolvedObject = new V1ObjectReference { Kind = "Pod" } };

        // KubernetesJson cannot write a Status (its converter only reads one; the runtime only reads them too): ours is
        // checked for reading back what it writes.
        var read = KubeJson.Deserialize<V1Status>(KubeJson.Serialize(status))!;
        (read.Code, read.Reason, read.Message, read.Status).ShouldBe((409, "Conflict", "stale", "Failure"));
        foreach (object value in new object[] { lease, ev })
        {
            var ours = KubeJson.Serialize(value);
            ours.ShouldBe(KubernetesJson.Serialize(value), value.GetType().Name);
        }

        KubeJson.Serialize(lease).ShouldContain("\"renewTime\":\"2026-12-02T07:15:41.123456Z\"");
    }

    [Fact]
    public void Timestamps_read_in_every_RFC_3339_spelling_the_server_writes()
    {
        foreach (var text in new[] { "2026-12-02T07:15:39Z", "2026-12-02T07:15:39.123456Z", "2026-12-02T07:15:39.123456789Z", "2026-12-02T07:15:39.1+00:00" })
        {
            var meta = KubeJson.Deserialize<V1ObjectMeta>($$"""{"creationTimestamp":"{{text}}"}""")!;
            meta.CreationTimestamp.ShouldBe(KubernetesJson.Deserialize<V1ObjectMeta>($$"""{"creationTimestamp":"{{text}}"}""").CreationTimestamp, text);
            meta.CreationTimestamp!.Value.Kind.ShouldBe(DateTimeKind.Utc);
        }
    }

    [Fact]
    public void A_list_is_read_item_by_item_with_its_metadata_and_unknown_fields_skipped()
    {
        var json = """{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"77","continue":"next"},"extra":{"a":[1,{"b":2}]},"items":[{"metadata":{"name":"a"},"data":{"k":"1"}},{"metadata":{"name":"b"}}]}""";

        var list = ObjectList<V1ConfigMap>.Read(Encoding.UTF8.GetBytes(json));

        list.Metadata!.ResourceVersion.ShouldBe("77");
        list.Metadata.ContinueProperty.ShouldBe("next");
        list.Items.Select(i => i.Metadata.Name).ShouldBe(["a", "b"]);
        list.Items[0].Data["k"].ShouldBe("1");
        ObjectList<V1ConfigMap>.Read(Encoding.UTF8.GetBytes("""{"metadata":{"resourceVersion":"1"},"items":null}""")).Items.ShouldBeEmpty();
    }

    [Fact]
    public void A_type_no_context_covers_fails_naming_it_when_reflection_is_off()
    {
        var options = KubeJson.CreateOptions(RuntimeJsonContext.Default);

        options.GetTypeInfo(typeof(V1Lease)).ShouldNotBeNull();
        var error = Should.Throw<NotSupportedException>(() => options.GetTypeInfo(typeof(V1ConfigMap)));
        error.Message.ShouldContain("V1ConfigMap");
    }

    [Fact]
    public void A_delete_sends_its_propagation_and_uid_precondition()
    {
        KubeJson.Serialize(new DeleteBody("Orphan", null)).ShouldBe("""{"propagationPolicy":"Orphan"}""");
        KubeJson.Serialize(new DeleteBody("Background", new DeletePreconditions("u-1"))).ShouldBe("""{"propagationPolicy":"Background","preconditions":{"uid":"u-1"}}""");
        JsonDocument.Parse(KubeJson.Serialize(new EventCountPatch(3, Now))).RootElement.GetProperty("lastTimestamp").GetString().ShouldBe("2026-12-02T07:15:39.123456Z");
    }
}

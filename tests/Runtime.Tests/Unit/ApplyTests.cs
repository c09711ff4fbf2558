using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Cache;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Tests.Unit;

public class ApplyTests
{
    private const string HashKey = "metrics.lsst.io/applied-hash";

    private static V1ConfigMap Owner() => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = "owner", NamespaceProperty = "ns", Uid = "0b0f1a2c-0000-4000-8000-000000000001" },
    };

    private static V1ConfigMap Desired(string value = "1") => new()
    {
        Metadata = new V1ObjectMeta { Name = "child", Labels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" } },
        Data = new Dictionary<string, string> { ["key"] = value },
    };

    /// <summary>What the API server would hand back after applying <paramref name="applied"/>.</summary>
    private static V1ConfigMap AsObserved(V1ConfigMap applied)
    {
        var observed = ObjectCopy.Clone(applied);
        observed.Metadata.ResourceVersion = "42";
        observed.Metadata.Uid = Guid.NewGuid().ToString();
        observed.Metadata.CreationTimestamp = DateTime.UtcNow;
        observed.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "metrics-operator", Operation = "Apply" }];
        // Label order is not preserved by the server.
        observed.Metadata.Labels = observed.Metadata.Labels.OrderByDescending(l => l.Key).ToDictionary();
        return observed;
    }

    [Fact]
    public void Hash_ignores_server_owned_fields_and_key_order_but_not_content()
    {
        var client = new ObjectClient(new FakeApi().Api, new InformerCache(new FakeApi().Api));
        var desired = Desired();
        var hash = client.Prepare(Owner(), desired);

        ObjectHash.Compute(AsObserved(desired), HashKey).ShouldBe(hash);
        ObjectHash.Compute(Desired("2"), HashKey).ShouldNotBe(ObjectHash.Compute(Desired("1"), HashKey));
        hash.Length.ShouldBe(32);
    }

    [Fact]
    public void Prepare_sets_the_label_the_controller_reference_the_namespace_and_the_hash()
    {
        var client = new ObjectClient(new FakeApi().Api, new InformerCache(new FakeApi().Api), new ApplyOptions { FieldManager = "op" });
        var desired = Desired();
        var hash = client.Prepare(Owner(), desired);

        desired.ApiVersion.ShouldBe("v1");
        desired.Kind.ShouldBe("ConfigMap");
        desired.Metadata.NamespaceProperty.ShouldBe("ns");
        desired.Metadata.Labels["app.kubernetes.io/managed-by"].ShouldBe("op");
        desired.Metadata.Annotations[HashKey].ShouldBe(hash);
        var reference = desired.Metadata.OwnerReferences.ShouldHaveSingleItem();
        reference.Controller.ShouldBe(true);
        reference.Uid.ShouldBe(Owner().Metadata.Uid);

        // Preparing again gives the same hash (the annotation itself is not hashed).
        client.Prepare(Owner(), desired).ShouldBe(hash);
    }

    [Fact]
    public async Task An_unchanged_child_sends_no_request_and_a_changed_one_one_server_side_apply()
    {
        using var fake = new FakeApi(_ => FakeApi.Json(System.Net.HttpStatusCode.OK, KubernetesJson.Serialize(Desired())));
        var cache = new InformerCache(fake.Api);
        var informer = cache.GetInformer<V1ConfigMap>("app.kubernetes.io/managed-by=metrics-operator");
        var client = new ObjectClient(fake.Api, cache);

        var first = Desired();
        (await client.ApplyAsync(Owner(), first)).ShouldBe(ApplyResult.Applied, "nothing is cached yet");
        fake.Handler.Requests.Count.ShouldBe(1);
        var request = fake.Handler.Requests[0];
        request.Method.ShouldBe(HttpMethod.Patch);
        request.ContentType.ShouldBe("application/apply-patch+yaml");
        request.Uri.ShouldBe("/api/v1/namespaces/ns/configmaps/child?fieldManager=metrics-operator&force=true");

        informer.Store.Upsert(AsObserved(first));
        (await client.ApplyAsync(Owner(), Desired())).ShouldBe(ApplyResult.Unchanged);
        fake.Handler.Requests.Count.ShouldBe(1, "a no-op apply makes zero requests");

        (await client.ApplyAsync(Owner(), Desired("changed"))).ShouldBe(ApplyResult.Applied);
        fake.Handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public void Status_patch_is_null_when_equal_and_a_minimal_merge_patch_otherwise()
    {
        var observed = new JsonObject { ["status"] = new JsonObject { ["phase"] = "Ready", ["old"] = "x", ["nested"] = new JsonObject { ["a"] = 1, ["b"] = 2 } } };
        var same = observed.DeepClone().AsObject();
        ObjectClient.StatusPatch(observed, same).ShouldBeNull();

        var changed = observed.DeepClone().AsObject();
        changed["status"]!.AsObject().Remove("old");
        changed["status"]!["nested"]!["b"] = 3;
        var patch = ObjectClient.StatusPatch(observed, changed)!;
        ObjectHash.Canonical(patch).ShouldBe("""{"status":{"nested":{"b":3},"old":null}}""");
    }

    [Fact]
    public void A_typed_objects_status_patch_reads_only_its_status_and_matches_the_whole_objects()
    {
        var observed = Integration.Widget.Named("ns", "w", message: "a long spec the diff never looks at");
        observed.Status = new Integration.WidgetStatus { ObservedGeneration = 1, Conditions = [new V1Condition { Type = "Ready", Status = "False", Reason = "Waiting", Message = "m", LastTransitionTime = new DateTime(2026, 12, 4, 0, 0, 0, DateTimeKind.Utc) }] };
        var desired = Integration.Widget.Named("ns", "w", message: "another spec");
        desired.Status = new Integration.WidgetStatus { ObservedGeneration = 2, Conditions = [new V1Condition { Type = "Ready", Status = "True", Reason = "Synced", Message = "m", LastTransitionTime = new DateTime(2026, 12, 4, 0, 1, 0, DateTimeKind.Utc) }] };

        // The status alone, as the whole object's JSON holds it.
        ObjectHash.Canonical(JsonNode.Parse(KubeJson.StatusJson(observed)!)!).ShouldBe(ObjectHash.Canonical(JsonNode.Parse(KubeJson.Serialize(observed))!["status"]!));
        ObjectClient.StatusPatch(observed, desired)!["status"]!["observedGeneration"]!.GetValue<long>().ShouldBe(2);
        ObjectClient.StatusPatch(observed, desired)!["spec"].ShouldBeNull("a spec difference is not the status's");

        var sameStatus = Integration.Widget.Named("ns", "w", message: "changed spec only");
        sameStatus.Status = observed.Status;
        ObjectClient.StatusPatch(observed, sameStatus).ShouldBeNull();

        var noStatus = Integration.Widget.Named("ns", "w");
        KubeJson.StatusJson(noStatus).ShouldBeNull();
        ObjectHash.Canonical(ObjectClient.StatusPatch(noStatus, desired)!).ShouldStartWith("""{"status":{"conditions":[""");
    }

    [Fact]
    public void Merge_patch_replaces_arrays_whole()
    {
        var from = JsonNode.Parse("""{"conditions":[{"type":"Ready","status":"False"}],"same":[1,2]}""")!.AsObject();
        var to = JsonNode.Parse("""{"conditions":[{"type":"Ready","status":"True"}],"same":[1,2]}""")!.AsObject();
        ObjectHash.Canonical(JsonMergePatch.Diff(from, to)).ShouldBe("""{"conditions":[{"status":"True","type":"Ready"}]}""");
    }
}

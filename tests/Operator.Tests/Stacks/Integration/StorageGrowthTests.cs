using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Integration;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Stacks.Integration;

/// <summary>
/// Growing InfluxDB's volume in place, the operator running as its own identity on the API server (whose
/// PersistentVolumeClaimResize admission and claim validation are the real ones), with the kubelet stand-in playing the
/// StatefulSet controller and the garbage collector. The PV controller's part (binding a claim, reporting its capacity)
/// is played by the test through the claim's status, as that controller would write it.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class StorageGrowthTests(ApiServerFixture fixture)
{
    private const string Claim = "data-metrics-influxdb-0";

    [Fact]
    public async Task A_larger_size_grows_the_claim_and_recreates_the_StatefulSet_orphaning_its_running_pod_and_a_smaller_one_is_refused()
    {
        var storageClass = await StorageClassAsync(allowExpansion: true);
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));
        await op.CreateStackWithSpecAsync(new { influxdb = new { storage = new { size = "1Gi", storageClassName = storageClass } } });
        var pod = await BoundAndRunningAsync(op, "1Gi");
        var before = (await op.Admin.GetAsync<V1StatefulSet>(op.Namespace, "metrics-influxdb"))!;

        await op.Admin.PatchAsync<V1Alpha1MetricsStack>(op.Namespace, OperatorWithFakes.Name, PatchType.Merge, """{"spec":{"influxdb":{"storage":{"size":"2Gi"}}}}""");

        var claim = await Eventually.UntilAsync(() => op.Admin.GetAsync<V1PersistentVolumeClaim>(op.Namespace, Claim), c => c.Spec.Resources.Requests["storage"].ToString() == "2Gi", "the claim asks for 2Gi");
        var after = await Eventually.UntilAsync(() => op.Admin.GetAsync<V1StatefulSet>(op.Namespace, "metrics-influxdb"), s => s.Metadata.Uid != before.Metadata.Uid, "the StatefulSet was re-created");
        after.Spec.VolumeClaimTemplates.Single().Spec.Resources.Requests["storage"].ToString().ShouldBe("2Gi");
        op.Kubelet!.Orphaned.ShouldContain("StatefulSet/metrics-influxdb", "deleted with propagationPolicy Orphan: the API server set the orphan finalizer");
        var kept = await Eventually.UntilAsync(() => op.Admin.GetAsync<V1Pod>(op.Namespace, "metrics-influxdb-0"), p => p.Metadata.OwnerReferences?.Any(o => o.Uid == after.Metadata.Uid) == true, "the new StatefulSet adopted the pod");
        kept.Metadata.Uid.ShouldBe(pod.Metadata.Uid, "the pod was never restarted");

        // The volume grows in the background: StorageReady says so until the claim reports its new capacity.
        var resizing = await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.StorageReady)?.Reason == "Resizing", "StorageReady=False Resizing");
        OperatorWithFakes.Condition(resizing, MetricsStackConditions.StorageReady)!.Message.ShouldContain($"{Claim} 1Gi → 2Gi");
        await op.BindClaimAsync(claim.Metadata.Name, "2Gi");
        await op.ReconcileAgainAsync();
        await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.StorageReady)?.Reason == "Sized", "StorageReady=True Sized");

        // Smaller: refused, nothing touched.
        await op.Admin.PatchAsync<V1Alpha1MetricsStack>(op.Namespace, OperatorWithFakes.Name, PatchType.Merge, """{"spec":{"influxdb":{"storage":{"size":"1Gi"}}}}""");
        var refused = await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Reason == "InvalidSpec", "Ready=False InvalidSpec");
        OperatorWithFakes.Condition(refused, MetricsStackConditions.Ready)!.Message.ShouldBe("spec.influxdb.storage.size: 1Gi is smaller than the 2Gi the volumes have; a volume never shrinks");
        (await op.Admin.GetAsync<V1StatefulSet>(op.Namespace, "metrics-influxdb"))!.Metadata.Uid.ShouldBe(after.Metadata.Uid);
    }

    [Fact]
    public async Task A_StorageClass_that_does_not_allow_expansion_is_named_and_nothing_is_recreated()
    {
        var storageClass = await StorageClassAsync(allowExpansion: false);
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));
        await op.CreateStackWithSpecAsync(new { influxdb = new { storage = new { size = "1Gi", storageClassName = storageClass } } });
        await BoundAndRunningAsync(op, "1Gi");
        var before = (await op.Admin.GetAsync<V1StatefulSet>(op.Namespace, "metrics-influxdb"))!;

        await op.Admin.PatchAsync<V1Alpha1MetricsStack>(op.Namespace, OperatorWithFakes.Name, PatchType.Merge, """{"spec":{"influxdb":{"storage":{"size":"2Gi"}}}}""");

        var refused = await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Reason == "VolumeExpansionRefused", "Ready=False VolumeExpansionRefused");
        OperatorWithFakes.Condition(refused, MetricsStackConditions.StorageReady)!.Message.ShouldBe(
            $"spec.influxdb.storage.size: PersistentVolumeClaim {Claim} cannot grow from 1Gi to 2Gi: StorageClass {storageClass} does not allow volume expansion (allowVolumeExpansion is not true); ask the cluster's admin to allow it, or set the size back to 1Gi");
        (await op.Admin.GetAsync<V1PersistentVolumeClaim>(op.Namespace, Claim))!.Spec.Resources.Requests["storage"].ToString().ShouldBe("1Gi");
        (await op.Admin.GetAsync<V1StatefulSet>(op.Namespace, "metrics-influxdb"))!.Metadata.Uid.ShouldBe(before.Metadata.Uid);
    }

    private async Task<string> StorageClassAsync(bool allowExpansion)
    {
        var name = $"{(allowExpansion ? "expandable" : "fixed")}-{Guid.NewGuid().ToString("N")[..8]}";
        await fixture.Plane.AdminClient.StorageV1.CreateStorageClassAsync(new V1StorageClass
        {
            Metadata = new V1ObjectMeta { Name = name },
            Provisioner = "example.org/test",
            AllowVolumeExpansion = allowExpansion ? true : null,
        });
        return name;
    }

    // The kubelet stand-in made the claim from the template and started the pod; the PV controller binds the claim.
    private static async Task<V1Pod> BoundAndRunningAsync(OperatorWithFakes op, string capacity)
    {
        await Eventually.UntilAsync(async () => await op.Admin.GetAsync<V1PersistentVolumeClaim>(op.Namespace, Claim) is not null, "the StatefulSet's claim exists");
        await op.BindClaimAsync(Claim, capacity);
        await Eventually.UntilAsync(() => Task.FromResult(op.StartedPods.Any(p => p.Workload == "metrics-influxdb")), "InfluxDB's pod started");
        return (await op.Admin.GetAsync<V1Pod>(op.Namespace, "metrics-influxdb-0"))!;
    }

}

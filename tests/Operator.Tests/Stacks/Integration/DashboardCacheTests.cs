using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Integration;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Stacks.Integration;

/// <summary>
/// The dashboard cache turned on, off and on again through the operator on the API server, with the kubelet stand-in
/// starting Trickster's pod only when a kubelet would: its objects come and go with nothing left behind, Grafana's
/// datasources follow, CacheReady comes and goes, and Grafana's read token is in no ConfigMap, log line or Event.
/// Trickster itself does not run here (docs/cache.md, "What the tests do not cover").
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class DashboardCacheTests(ApiServerFixture fixture)
{
    private const string Trickster = "metrics-trickster";

    [Fact]
    public async Task On_off_on_leaves_no_stray_objects_switches_the_datasources_and_keeps_the_token_out_of_ConfigMaps_and_logs()
    {
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));
        await op.CreateStackWithSpecAsync(new { grafana = new { cache = new { enabled = false, replicas = 2 } } });
        await WaitReadyAsync(op, cacheOn: false);
        var baseline = await OwnedObjectsAsync(op);
        baseline.ShouldNotContain(o => o.Contains("trickster", StringComparison.Ordinal));
        (await DatasourcesFileAsync(op)).ShouldContain("deleteDatasources:");

        // On: Trickster's objects appear, its pods start (a kubelet would: nothing they need is missing), the cached
        // datasource is Grafana's default, and Ready waits for CacheReady.
        await SetCacheAsync(op, enabled: true);
        var on = await WaitReadyAsync(op, cacheOn: true);
        OperatorWithFakes.Condition(on, MetricsStackConditions.Ready)!.Message.ShouldContain("dashboard cache");
        var withCache = await OwnedObjectsAsync(op);
        withCache.Except(baseline).Order(StringComparer.Ordinal).ShouldBe(
        [
            "ConfigMap/metrics-trickster-config", $"Deployment/{Trickster}", $"NetworkPolicy/{Trickster}", $"Service/{Trickster}",
        ]);
        op.StartedPods.Count(p => p.Workload == Trickster).ShouldBeGreaterThanOrEqualTo(2);
        var datasources = await DatasourcesFileAsync(op);
        datasources.ShouldContain($"url: {StackNames.TricksterUrl(on)}");
        datasources.ShouldNotContain("deleteDatasources:");

        // Off: everything of Trickster's is pruned, the namespace is as it was before, CacheReady is gone.
        await SetCacheAsync(op, enabled: false);
        var off = await Eventually.UntilAsync(op.GetStackAsync,
            s => OperatorWithFakes.Condition(s, MetricsStackConditions.CacheReady) is null && OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Status == "True",
            "CacheReady gone and Ready=True without the cache");
        await Eventually.UntilAsync(async () => (await OwnedObjectsAsync(op)).SequenceEqual(baseline), "the namespace holds what it held before the cache was on");
        var back = await DatasourcesFileAsync(op);
        back.ShouldContain("deleteDatasources:");
        back.ShouldNotContain(StackNames.TricksterUrl(off));

        // On again: the same objects as the first time.
        await SetCacheAsync(op, enabled: true);
        await WaitReadyAsync(op, cacheOn: true);
        (await OwnedObjectsAsync(op)).ShouldBe(withCache);

        // Grafana's read token: in its Secret, and in no ConfigMap of the namespace, no log line, no Event, not the stack.
        var token = (await op.SecretValueAsync(StackNames.GrafanaTokenSecret(off), StackNames.TokenKey)).ShouldNotBeNull();
        foreach (var configMap in (await op.Admin.ListAsync<V1ConfigMap>(op.Namespace)).Items)
        {
            KubernetesJson.Serialize(configMap).ShouldNotContain(token, Case.Sensitive, $"ConfigMap {configMap.Metadata.Name} holds the read token");
        }

        await op.AssertNoSecretLeakedAsync(loggedWork: "children of MetricsStack metrics the spec no longer wants");
    }

    [Fact]
    public async Task A_cache_on_a_claim_starts_with_its_claim_and_turning_it_off_keeps_the_claim()
    {
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));
        await op.CreateStackWithSpecAsync(new { grafana = new { cache = new { enabled = true, kind = "bbolt", size = "2Gi" } } });
        await WaitReadyAsync(op, cacheOn: true);
        var claim = (await op.Admin.GetAsync<V1PersistentVolumeClaim>(op.Namespace, Trickster)).ShouldNotBeNull();
        claim.Spec.Resources.Requests["storage"].ShouldBe(new ResourceQuantity("2Gi"));
        op.StartedPods.ShouldContain(p => p.Workload == Trickster);

        await SetCacheAsync(op, enabled: false);
        await WaitReadyAsync(op, cacheOn: false);
        await Eventually.UntilAsync(async () => await op.Admin.GetAsync<V1Deployment>(op.Namespace, Trickster) is null, "Trickster's Deployment pruned");

        // Claims are never pruned: the cache's stays until someone deletes it (docs/cache.md, "Emptying it").
        (await op.Admin.GetAsync<V1PersistentVolumeClaim>(op.Namespace, Trickster)).ShouldNotBeNull().Metadata.Uid.ShouldBe(claim.Metadata.Uid);
    }

    private static async Task<V1Alpha1MetricsStack> WaitReadyAsync(OperatorWithFakes op, bool cacheOn) =>
        (await Eventually.UntilAsync(op.GetStackAsync,
            s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Status == "True"
                && (OperatorWithFakes.Condition(s, MetricsStackConditions.CacheReady)?.Status == "True") == cacheOn
                && s.Status!.ObservedGeneration == s.Metadata.Generation,
            $"Ready=True with the cache {(cacheOn ? "on and CacheReady=True" : "off")}", TimeSpan.FromSeconds(90)))!;

    private static Task<V1Alpha1MetricsStack?> SetCacheAsync(OperatorWithFakes op, bool enabled) =>
        op.Admin.PatchAsync<V1Alpha1MetricsStack>(op.Namespace, OperatorWithFakes.Name, PatchType.Merge,
            System.Text.Json.JsonSerializer.Serialize(new { spec = new { grafana = new { cache = new { enabled } } } }));

    private static async Task<string> DatasourcesFileAsync(OperatorWithFakes op) =>
        (await op.Admin.GetAsync<V1ConfigMap>(op.Namespace, "metrics-grafana-provisioning")).ShouldNotBeNull().Data[GrafanaDatasources.FileName];

    /// <summary>Every object the operator manages in the namespace, of each kind it applies, as Kind/name, sorted.</summary>
    private static async Task<List<string>> OwnedObjectsAsync(OperatorWithFakes op)
    {
        var selector = $"{StackLabels.ManagedBy}={StackLabels.ManagedByValue}";
        var names = new List<string>();
        async Task Add<T>(string kind) where T : class, IKubernetesObject<V1ObjectMeta> =>
            names.AddRange((await op.Admin.ListAsync<T>(op.Namespace, selector)).Items.Select(o => $"{kind}/{o.Metadata.Name}"));
        await Add<V1Deployment>("Deployment");
        await Add<V1StatefulSet>("StatefulSet");
        await Add<V1Service>("Service");
        await Add<V1ConfigMap>("ConfigMap");
        await Add<V1NetworkPolicy>("NetworkPolicy");
        await Add<V1PersistentVolumeClaim>("PersistentVolumeClaim");
        await Add<V1Secret>("Secret");
        return [.. names.Order(StringComparer.Ordinal)];
    }
}

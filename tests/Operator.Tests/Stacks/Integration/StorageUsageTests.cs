using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Integration;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Stacks.Integration;

/// <summary>
/// InfluxDB's usage in status, read from the InfluxDB stand-in's <c>/metrics</c> (<c>storage_shard_disk_size</c>, as
/// InfluxDB 2.7 names it) by the operator running as its own identity, with the claim's capacity as the PV controller
/// would report it: the threshold crossed and back gives one Event each way, and a resync within the interval asks nothing.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class StorageUsageTests(ApiServerFixture fixture)
{
    private const long GiB = 1L << 30;

    [Fact]
    public async Task Usage_is_sampled_on_an_interval_and_crossing_the_threshold_turns_StorageReady_false_and_back_with_one_Event_each()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, clock);
        await op.CreateStackWithSpecAsync(new { influxdb = new { storage = new { size = "1Gi", warnAtPercent = 80 } } });
        await Eventually.UntilAsync(async () => await op.Admin.GetAsync<V1PersistentVolumeClaim>(op.Namespace, "data-metrics-influxdb-0") is not null, "InfluxDB's claim exists");
        await op.BindClaimAsync("data-metrics-influxdb-0", "1Gi");
        var stack = await Eventually.UntilAsync(op.GetStackAsync, s => s.Status?.Bucket?.Id is { Length: > 0 }, "the bucket exists");
        var bucketId = stack.Status.Bucket!.Id!;

        op.Influx.State.SetShardDiskSize(bucketId, (long)(0.5 * GiB));
        clock.Advance(TimeSpan.FromMinutes(6));
        await op.ReconcileAgainAsync();
        var half = await Eventually.UntilAsync(op.GetStackAsync, s => s.Status?.InfluxDb?.Storage?.UsedPercent == 50, "status shows 50 %");
        half.Status.InfluxDb!.Storage!.CapacityBytes.ShouldBe(GiB);
        OperatorWithFakes.Condition(half, MetricsStackConditions.StorageReady)!.Message.ShouldBe("InfluxDB's data uses 50% of its volume (512 MiB of 1 GiB)");

        // Within the interval, however many reconciles: InfluxDB is not asked again.
        var asked = op.Influx.Requests.Count("GET", "/metrics");
        await op.ReconcileAgainAsync();
        await op.ReconcileAgainAsync();
        op.Influx.Requests.Count("GET", "/metrics").ShouldBe(asked);

        // A day later, 90 %: False with when it fills, and a Warning Event.
        op.Influx.State.SetShardDiskSize(bucketId, (long)(0.9 * GiB));
        clock.Advance(TimeSpan.FromDays(1));
        await op.ReconcileAgainAsync();
        var full = await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.StorageReady)?.Reason == "StorageNearlyFull", "StorageReady=False StorageNearlyFull");
        var condition = OperatorWithFakes.Condition(full, MetricsStackConditions.StorageReady)!;
        condition.Message.ShouldStartWith("InfluxDB's data uses 90% of its volume (921.6 MiB of 1 GiB), at or above the 80% of spec.influxdb.storage.warnAtPercent; at 409.6 MiB/day it is full in about 0 days");
        full.Status.InfluxDb!.Storage!.GrowthBytesPerDay.ShouldBe((long)(0.4 * GiB));

        // Back under: True again, a Normal Event; one Event each way.
        op.Influx.State.SetShardDiskSize(bucketId, (long)(0.6 * GiB));
        clock.Advance(TimeSpan.FromMinutes(6));
        await op.ReconcileAgainAsync();
        await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.StorageReady)?.Reason == "Sized", "StorageReady=True again");
        // Status is patched before the Events of its changes are recorded (MetricsStackReconciler.ReportAsync): wait for the Event too.
        var events = await Eventually.UntilAsync(
            async () => (await op.EventsAsync()).Where(e => e.Reason is "StorageNearlyFull" || (e.Reason == "Sized" && e.Message.Contains("60%", StringComparison.Ordinal))).ToList(),
            es => es.Any(e => e.Reason == "Sized"),
            "the Sized Event is recorded");
        events.Count(e => e.Reason == "StorageNearlyFull" && e.Type == "Warning").ShouldBe(1);
        events.Count(e => e.Reason == "Sized" && e.Type == "Normal").ShouldBe(1);
    }
}

using System.Globalization;
using k8s.Models;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.Influx;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Events;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Stacks;
using MetricsOperator.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace MetricsOperator.Tests.Backup.Integration;

/// <summary>
/// Scheduled backups end to end: the whole operator (its DI registration, the runtime Manager, the backup scheduler
/// loop as a hosted service, the RBAC-limited identity) on the real API server, the InfluxDB and Grafana fakes as the
/// stack's sources, s3rver as the destination through the production S3 client. Everything is asserted where a user
/// sees it: the MetricsStack's status and Events read through the API server, and the snapshots in the bucket.
/// </summary>
/// <remarks>
/// In the API-server collection (its tests share the control plane and run one at a time) with an s3rver of its own
/// (a class fixture), so taking the destination down cannot break the s3rver collection's tests running meanwhile.
/// </remarks>
[Collection(SharedApiServer.Name)]
public sealed class ScheduledBackupTests(ApiServerFixture fixture, S3rverFixture s3) : IClassFixture<S3rverFixture>, IAsyncLifetime
{
    // Thirty seconds before InfluxDB's daily 03:00 UTC backup: the cron schedule is reached by moving the clock.
    private readonly ManualClock clock = new(new DateTimeOffset(2025, 6, 1, 2, 59, 30, TimeSpan.Zero));
    private OperatorWithFakes op = null!;

    public async Task InitializeAsync() => op = await OperatorWithFakes.StartAsync(fixture.Plane, s3, clock);

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        op.Influx.Contract.AssertNoContractViolations();
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Grafana_runs_at_once_and_InfluxDB_on_its_cron_schedule_through_the_operator_into_S3()
    {
        var created = await op.CreateStackAsync(influxSchedule: "0 3 * * *");

        // Grafana is backed up as soon as it is ready; InfluxDB waits for its first scheduled time.
        var stack = await op.WaitForBackupAsync(ConditionSet.True, BackupReasons.Scheduled,
            s => s.Status.Backup?.Grafana?.LastSnapshot is not null && BackupReady(s).Message == "first influxdb backup due 2025-06-01 03:00:00Z",
            "the first Grafana snapshot is in status and InfluxDB's first run is due at 03:00");
        var grafana = stack.Status.Backup!.Grafana!;
        grafana.LastSnapshot.ShouldBe("grafana/20250601T025930Z");
        grafana.LastSuccessTime.ShouldBe(new DateTime(2025, 6, 1, 2, 59, 30, DateTimeKind.Utc));
        grafana.LastError.ShouldBeNull();
        stack.Status.Backup.InfluxDb.ShouldNotBeNull().LastSnapshot.ShouldBeNull();
        stack.Status.ObservedGeneration.ShouldBe(created.Metadata.Generation);
        op.Influx.Requests.Count("GET", "/api/v2/backup/metadata").ShouldBe(0, "InfluxDB is not backed up before its schedule");

        // Telegraf writes; the clock reaches 03:00 and the next scheduler tick runs the InfluxDB backup.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        await op.WriteAsTelegrafAsync(string.Create(CultureInfo.InvariantCulture, $"requests,app=butler latency=12.5 {now}\nrequests,app=butler latency=7 {now + 1_000_000_000}\n"));
        var bucket = op.Influx.State.FindBucketByName("metrics").ShouldNotBeNull();
        op.Influx.State.Points(bucket.Id).Count.ShouldBe(2);
        clock.Advance(TimeSpan.FromSeconds(30));

        stack = await op.WaitForBackupAsync(ConditionSet.True, BackupReasons.Succeeded,
            s => s.Status.Backup?.InfluxDb?.LastSnapshot is not null, "the InfluxDB snapshot is in status");
        var influx = stack.Status.Backup!.InfluxDb!;
        influx.LastSnapshot.ShouldBe("influxdb/20250601T030000Z");
        influx.LastSuccessTime.ShouldBe(new DateTime(2025, 6, 1, 3, 0, 0, DateTimeKind.Utc));
        influx.LastError.ShouldBeNull();
        stack.Status.Backup.Grafana!.LastSnapshot.ShouldBe("grafana/20250601T025930Z", "Grafana is not due again before 03:00:30");
        BackupReady(stack).Message.ShouldBe("the latest backups succeeded: grafana/20250601T025930Z, influxdb/20250601T030000Z");
        OperatorWithFakes.Condition(stack, MetricsStackConditions.Ready).ShouldNotBeNull().Status.ShouldBe(ConditionSet.True);

        // What the status names is in the bucket, complete and matching its manifest.
        using var destination = op.Destination();
        var grafanaStore = new SnapshotStore(destination, SnapshotNames.Grafana);
        var grafanaManifest = await grafanaStore.VerifyAsync("20250601T025930Z", default);
        grafanaManifest.Stack.ShouldBe($"{op.Namespace}/{OperatorWithFakes.Name}");
        grafanaManifest.Files.Select(f => f.Path).ShouldContain("dashboards/team-ops/latency.json");
        grafanaManifest.Files.Select(f => f.Path).ShouldContain("folders/app-butler.json");
        var influxStore = new SnapshotStore(destination, SnapshotNames.InfluxDb);
        var influxManifest = await influxStore.VerifyAsync("20250601T030000Z", default);
        influxManifest.Files.Select(f => f.Path).ShouldContain(InfluxBackup.BucketsFile);
        influxManifest.Files.Select(f => f.Path).ShouldContain(InfluxBackup.ShardFile(bucket.ShardId));
        (await influxStore.ListAsync(default)).ShouldHaveSingleItem().Complete.ShouldBeTrue();

        // The shard holds Telegraf's points: a fresh InfluxDB restored from the snapshot has them.
        await using (var fresh = await InfluxFake.StartNewAsync())
        {
            var onboarding = fresh.Onboard(org: "rubin");
            using var api = new InfluxBackupApi(fresh.BaseUri, new InfluxSecret(onboarding.Token));
            var restored = await new InfluxRestore(api, influxStore).RestoreAsync("latest", force: false, default);
            restored.Snapshot.ShouldBe("20250601T030000Z");
            fresh.State.Points(restored.Buckets["metrics"]).Count.ShouldBe(2);
        }

        var metrics = await MetricsTextAsync();
        metrics.ShouldContain($"backup_last_success_timestamp_seconds{{kind=\"influxdb\",namespace=\"{op.Namespace}\",stack=\"{OperatorWithFakes.Name}\"}} {clock.GetUtcNow().ToUnixTimeSeconds()}");
        metrics.ShouldContain($"backup_duration_seconds_count{{kind=\"influxdb\",namespace=\"{op.Namespace}\",stack=\"{OperatorWithFakes.Name}\"}} 1");
        await op.AssertNoSecretLeakedAsync();
    }

    [Fact]
    public async Task Destination_down_makes_BackupReady_and_Ready_False_with_a_Warning_and_the_recovery_is_reported()
    {
        await op.CreateStackAsync(influxSchedule: null);
        var stack = await op.WaitForBackupAsync(ConditionSet.True, BackupReasons.Succeeded,
            s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Status == ConditionSet.True, "Ready=True");
        var first = stack.Status.Backup!.Grafana!;
        first.LastSnapshot.ShouldBe("grafana/20250601T025930Z");
        first.LastError.ShouldBeNull();

        await s3.StopAsync();
        try
        {
            // A change in Grafana, so the next run has something to write (an unchanged one only reads the manifest).
            using (var api = OperatorWithFakes.GrafanaApi(op.Grafana))
            {
                await GrafanaSeed.DashboardAsync(api, "errors", "Errors", "team-ops", "count(errors)");
            }

            clock.Advance(TimeSpan.FromMinutes(1));
            stack = await op.WaitForBackupAsync(ConditionSet.False, BackupReasons.DestinationUnavailable);
            var condition = BackupReady(stack);
            condition.Message.ShouldStartWith("grafana backup failed: ");
            condition.Message.ShouldContain(S3rverFixture.Bucket);
            var down = stack.Status.Backup!.Grafana!;
            down.LastError.ShouldBe(condition.Message);
            down.LastSnapshot.ShouldBe(first.LastSnapshot, "the last good snapshot stays in status");
            down.LastSuccessTime.ShouldBe(first.LastSuccessTime);
            var ready = OperatorWithFakes.Condition(stack, MetricsStackConditions.Ready).ShouldNotBeNull();
            ready.Status.ShouldBe(ConditionSet.False);
            ready.Message.ShouldContain(MetricsStackConditions.BackupReady);

            var warning = await Eventually.UntilAsync(
                async () => (await op.EventsAsync()).FirstOrDefault(e => e.Type == EventTypes.Warning && e.Reason == BackupReasons.DestinationUnavailable && e.Message.StartsWith("grafana backup failed", StringComparison.Ordinal)),
                _ => true, "the scheduler's Warning Event");
            warning.InvolvedObject.Kind.ShouldBe("MetricsStack");
            warning.InvolvedObject.Name.ShouldBe(OperatorWithFakes.Name);
        }
        finally
        {
            await s3.StartAsync();
        }

        // The retry (30 s after the failure) finds the destination back and writes the change.
        clock.Advance(TimeSpan.FromSeconds(30));
        stack = await op.WaitForBackupAsync(ConditionSet.True, BackupReasons.Succeeded,
            s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Status == ConditionSet.True, "Ready=True again");
        var recovered = stack.Status.Backup!.Grafana!;
        recovered.LastSnapshot.ShouldBe("grafana/20250601T030100Z");
        recovered.LastSuccessTime.ShouldBe(new DateTime(2025, 6, 1, 3, 1, 0, DateTimeKind.Utc));
        recovered.LastError.ShouldBeNull();
        var recovery = await Eventually.UntilAsync(
            async () => (await op.EventsAsync()).FirstOrDefault(e => e.Type == EventTypes.Normal && e.Reason == "BackupRecovered"),
            _ => true, "the Normal BackupRecovered Event");
        recovery.Message.ShouldBe("grafana backup succeeded again: grafana/20250601T030100Z");

        using var destination = op.Destination();
        var store = new SnapshotStore(destination, SnapshotNames.Grafana);
        (await store.ListAsync(default)).Select(s => (s.Name, s.Complete)).ShouldBe([("20250601T025930Z", true), ("20250601T030100Z", true)], ignoreOrder: true);
        (await store.VerifyAsync("20250601T030100Z", default)).Files.Select(f => f.Path).ShouldContain("dashboards/team-ops/errors.json");
        await op.AssertNoSecretLeakedAsync();
    }

    [Fact]
    public async Task Grafana_backed_up_to_a_claim_runs_in_a_job_and_its_snapshot_reaches_status()
    {
        await op.CreateClaimAsync("grafana-backups");
        await op.CreateStackAsync(influxSchedule: null, grafanaClaim: "grafana-backups");
        var emulator = new Jobs.JobEmulator(op.Admin, op.AdminClient, op.Namespace);

        // The scheduler hands the run to a Job; the emulated job controller and kubelet run it with the real binary.
        var run = await emulator.RunNextAsync();
        run.ExitCode.ShouldBe(0, run.Output);
        run.TerminationMessage.ShouldNotContain(op.Grafana.AdminPassword);
        run.Output.ShouldNotContain(op.Grafana.AdminPassword);
        var stack = await op.WaitForBackupAsync(ConditionSet.True, BackupReasons.Succeeded,
            s => s.Status.Backup?.Grafana?.LastSnapshot is not null, "the snapshot the Job wrote is in status");

        var store = new SnapshotStore(new MetricsOperator.Backup.Destinations.DirectoryBackupDestination(emulator.ClaimFolder("grafana-backups")), SnapshotNames.Grafana);
        var onClaim = (await store.LatestAsync(default)).ShouldNotBeNull().Name;
        stack.Status.Backup!.Grafana!.LastSnapshot.ShouldBe($"grafana/{onClaim}");
        await store.VerifyAsync(onClaim, default);
        (await op.Admin.GetAsync<V1Job>(op.Namespace, run.Job.Metadata.Name)).ShouldBeNull("the Job is deleted once its result is in");
        await op.AssertNoSecretLeakedAsync();
    }

    private static V1Condition BackupReady(V1Alpha1MetricsStack stack) => OperatorWithFakes.Condition(stack, MetricsStackConditions.BackupReady).ShouldNotBeNull();

    private async Task<string> MetricsTextAsync()
    {
        var registry = op.Manager.Services!.GetRequiredService<RuntimeMetrics>().Registry;
        using var text = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }
}

using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Cache;
using MetricsOperator.Runtime.Reconcile;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Integration;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// The Event an AppAlert's Ready change records, when the cache's copy of the object is older than the status the
/// writer itself just wrote (a reconcile queued during another reads the cache, which can lag that run's write): the
/// controller hands the reconcile the newer of the two (ObjectClient.OwnWrites), and the writer compares with that.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class AppAlertStatusWriterTests(ApiServerFixture fixture)
{
    [Fact]
    public async Task The_same_report_written_twice_from_a_copy_older_than_the_first_write_records_one_event()
    {
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));
        // A namespace this operator does not watch: its controllers leave the AppAlert alone and its cache never holds
        // it, so every copy stays as old as the created object (the lag, made permanent).
        var ns = await fixture.Plane.CreateNamespaceAsync("status-writer");
        var created = (await op.Admin.CreateAsync(AlertSamples.ForApiServer(AlertSamples.Alert(ns, "stale", AlertSamples.Rule("r1")))))!;
        var writer = new AppAlertStatusWriter(op.Manager);
        var refused = AppAlertStatusReport.Waiting(AppAlertReasons.DuplicateRuleTitle, "rule title r1 is taken");

        // What the controller hands a reconcile: the cache's copy (here always the created object) or this process's
        // own last write of it when that is newer.
        V1Alpha1AppAlert Handed() => ObjectCopy.Clone(op.Manager.Client.OwnWrites.Newest(ObjectKey.Of(created), created)!);

        await writer.WriteAsync(Handed(), refused, default);
        await writer.WriteAsync(Handed(), refused, default);

        (await WarningsAsync(op, ns, AppAlertReasons.DuplicateRuleTitle)).ShouldBe(1, "the second write changed nothing");
        var stored = (await op.Admin.GetAsync<V1Alpha1AppAlert>(ns, "stale"))!;
        stored.Status!.Conditions!.Single(c => c.Type == AppAlertConditions.Ready).Reason.ShouldBe(AppAlertReasons.DuplicateRuleTitle);

        // A real change from the same old copy is still one Event.
        var waiting = AppAlertStatusReport.Waiting(AppAlertReasons.GrafanaRejected, "Grafana refused the group");
        await writer.WriteAsync(Handed(), waiting, default);
        (await WarningsAsync(op, ns, AppAlertReasons.GrafanaRejected)).ShouldBe(1);
        (await WarningsAsync(op, ns, AppAlertReasons.DuplicateRuleTitle)).ShouldBe(1);
    }

    private static async Task<int> WarningsAsync(OperatorWithFakes op, string ns, string reason)
    {
        await op.Manager.Events.FlushAsync();
        return (await op.Admin.ListAsync<Corev1Event>(ns)).Items.Where(e => e.Type == "Warning" && e.Reason == reason).Sum(e => e.Count ?? 1);
    }
}

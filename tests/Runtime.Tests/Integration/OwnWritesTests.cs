using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Runtime.Tests.Integration;

/// <summary>A reconcile reads this process's own last status write while the cache has not caught up with it.</summary>
[Collection(SharedPlaneGroup.Name)]
public sealed class OwnWritesTests(SharedPlaneFixture fixture)
{
    [Fact]
    public async Task A_reconcile_handed_a_cached_copy_older_than_its_status_write_reads_the_write_and_writes_nothing_again()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("own");
        await fixture.Admin.CreateAsync(Widget.Named(ns, "w"));
        var key = new ObjectKey(ns, "w");
        var handed = new ConcurrentQueue<string?>();
        RunningManager? self = null;
        var reconciler = new RecordingReconciler(async (widget, ct) =>
        {
            handed.Enqueue(ConditionSet.Find(widget.Status?.Conditions, "Ready")?.Reason);
            widget.Status ??= new WidgetStatus();
            ConditionSet.Set(widget.Status.Conditions, "Ready", true, "Reconciled", "Done.", widget.Metadata.Generation);
            await self!.Manager.Client.PatchStatusAsync(widget, ct);
            return ReconcileResult.Done;
        });
        await using var running = self = new RunningManager(fixture.Plane, new ManagerOptions { Namespace = ns, ResyncPeriod = TimeSpan.FromMilliseconds(300) });

        // Widgets' watch never delivers an event: the cache keeps the widget as first listed, without the status the
        // first reconcile writes. This is the lag a busy watch has for a moment, held for as long as the test needs.
        running.Counter.OnWatch = request => request.RequestUri!.AbsolutePath.EndsWith("/widgets", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new Pipe().Reader.AsStream()) }
            : null;
        running.Manager.NewController().For<Widget>().Complete(reconciler);
        running.Start();
        await running.WaitReadyAsync();

        await Eventually.UntilAsync(() => reconciler.CountFor("w") >= 4, "the first reconcile and three resyncs");
        running.Manager.Cache.TryGetStore<Widget>()!.Get(key)!.Status?.Conditions.ShouldBeEmpty("the cache still has the widget from before the status write");
        running.Counter.Writes.Count(w => w.EndsWith($"/namespaces/{ns}/widgets/w/status", StringComparison.Ordinal))
            .ShouldBe(1, "the resyncs compare with the status written, not with the cache's older copy");
        handed.First().ShouldBeNull();
        handed.Skip(1).ShouldAllBe(reason => reason == "Reconciled", "every reconcile after the write is handed the widget with it");
        running.Manager.Client.Get<Widget>(key)!.Status!.Conditions.ShouldHaveSingleItem().Reason.ShouldBe("Reconciled");
        running.Manager.Client.OwnWrites.Pending.ShouldBe(1);
    }

    [Fact]
    public async Task Once_the_cache_shows_the_write_it_is_forgotten_and_a_later_write_by_someone_else_is_what_reconciles_read()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("own");
        var key = new ObjectKey(ns, "w");
        RunningManager? self = null;
        var handed = new ConcurrentQueue<long?>();
        var reconciler = new RecordingReconciler(async (widget, ct) =>
        {
            // Every update reconciles here (no update filter), someone else's status write included: this reconciler
            // owns the Ready condition only, so it leaves the observedGeneration written below alone.
            handed.Enqueue(widget.Status?.ObservedGeneration);
            widget.Status ??= new WidgetStatus();
            ConditionSet.Set(widget.Status.Conditions, "Ready", true, "Reconciled", "Done.", widget.Metadata.Generation);
            await self!.Manager.Client.PatchStatusAsync(widget, ct);
            return ReconcileResult.Done;
        });
        await using var running = self = new RunningManager(fixture.Plane, new ManagerOptions { Namespace = ns });
        running.Manager.NewController().For<Widget>().Complete(reconciler);
        running.Start();
        await running.WaitReadyAsync();

        await fixture.Admin.CreateAsync(Widget.Named(ns, "w"));
        await Eventually.UntilAsync(
            () => ConditionSet.IsTrue(running.Manager.Cache.TryGetStore<Widget>()!.Get(key)?.Status?.Conditions, "Ready") && running.Manager.Client.OwnWrites.Pending == 0,
            "the cache shows the status write and the write is forgotten");

        await fixture.Admin.PatchAsync<Widget>(ns, "w", Client.PatchType.Merge, """{"status":{"observedGeneration":41}}""", "status");
        await Eventually.UntilAsync(() => handed.Contains(41), "the reconcile after someone else's status write is handed it");
        running.Manager.Client.Get<Widget>(key)!.Status!.ObservedGeneration.ShouldBe(41);
        running.Counter.Writes.Count(w => w.EndsWith($"/namespaces/{ns}/widgets/w/status", StringComparison.Ordinal)).ShouldBe(1, "only the first reconcile had anything to write");
        running.Manager.Client.OwnWrites.Pending.ShouldBe(0);
    }
}

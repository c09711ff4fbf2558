using System.Globalization;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Runtime.Tests.Integration;

/// <summary>How often a primary is reconciled: once per resync, not once more per watched kind; not again for its own status patch.</summary>
[Collection(SharedPlaneGroup.Name)]
public sealed class ReconcileCountTests(SharedPlaneFixture fixture)
{
    [Fact]
    public async Task A_resync_of_a_watched_kind_does_not_reconcile_the_primaries_again()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("rt");
        RunningManager? self = null;
        var reconciler = new RecordingReconciler(async (widget, ct) =>
        {
            await self!.Manager.Client.ApplyAsync(widget, new V1ConfigMap { Metadata = new V1ObjectMeta { Name = widget.Metadata.Name + "-config" } }, ct);
            return ReconcileResult.Done;
        });
        await using var running = self = new RunningManager(fixture.Plane, new ManagerOptions { Namespace = ns, ResyncPeriod = TimeSpan.FromSeconds(1) });
        // Every ConfigMap maps to the widget too: a resync of the ConfigMaps would double the widget's reconciles.
        running.Manager.NewController().For<Widget>().Owns<V1ConfigMap>()
            .Watches<V1ConfigMap>(c => [new ObjectKey(ns, "w")])
            .Complete(reconciler);
        running.Start();
        await running.WaitReadyAsync();
        await fixture.Admin.CreateAsync(Widget.Named(ns, "w"));
        await Eventually.UntilAsync(() => running.Manager.Client.Get<V1ConfigMap>(new ObjectKey(ns, "w-config")) is not null, "the child is cached");
        await Task.Delay(TimeSpan.FromSeconds(1));

        var start = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(4.5));
        var times = reconciler.Calls.Where(c => c.Key == $"{ns}/w" && c.At >= start).Select(c => c.At).ToList();

        // The gaps between reconciles, not their count: a loaded machine can hold one timer back a second, which moves
        // a count over 4.5 s by a fifth but leaves the middle gap at the period; resyncs of both kinds would halve it.
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalSeconds).Order().ToList();
        gaps.Count.ShouldBeGreaterThanOrEqualTo(2, $"resyncs came: {string.Join(", ", times.Select(t => t.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)))}");
        gaps[gaps.Count / 2].ShouldBeInRange(0.7, 1.5, $"about one reconcile per resync period; gaps {string.Join(", ", gaps.Select(g => g.ToString("F2", CultureInfo.InvariantCulture)))} s");
    }

    [Fact]
    public async Task A_status_only_update_is_not_reconciled_when_the_controller_says_it_does_not_matter()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("rt");
        RunningManager? self = null;
        var reconciler = new RecordingReconciler(async (widget, ct) =>
        {
            // A status that changes on every reconcile: without the filter, each patch would bring the widget back.
            widget.Status ??= new WidgetStatus();
            ConditionSet.Set(widget.Status.Conditions, "Ready", false, "Failing", $"attempt at {DateTime.UtcNow:O}", widget.Metadata.Generation);
            await self!.Manager.Client.PatchStatusAsync(widget, ct);
            return ReconcileResult.Done;
        });
        await using var running = self = new RunningManager(fixture.Plane, new ManagerOptions { Namespace = ns });
        running.Manager.NewController().For<Widget>().ReconcilesUpdatesWhen(UpdateFilters.SpecOrMetadataChanged).Complete(reconciler);
        running.Start();
        await running.WaitReadyAsync();

        await fixture.Admin.CreateAsync(Widget.Named(ns, "w"));
        await Eventually.UntilAsync(() => reconciler.CountFor("w") >= 1, "the widget is reconciled");
        await Task.Delay(TimeSpan.FromSeconds(2));
        reconciler.CountFor("w").ShouldBe(1, "its own status patch does not bring it back");

        await fixture.Admin.PatchAsync<Widget>(ns, "w", PatchType.Merge, """{"spec":{"message":"changed"}}""");
        await Eventually.UntilAsync(() => reconciler.CountFor("w") == 2, "a spec change is reconciled");
    }
}

using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Events;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Runtime.Tests.Integration;

[Collection(SharedPlaneGroup.Name)]
public sealed class ControllerTests(SharedPlaneFixture fixture)
{
    private async Task<string> NamespaceAsync()
    {
        try
        {
            return await fixture.Plane.CreateNamespaceAsync("rt");
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException("API server log:\n" + fixture.Plane.Local?.ApiServerLogTail(30), e);
        }
    }

    [Fact]
    public async Task Create_update_and_delete_reach_the_controller()
    {
        var ns = await NamespaceAsync();
        var reconciler = new RecordingReconciler();
        await using var running = new RunningManager(fixture.Plane, new ManagerOptions { Namespace = ns });
        running.Manager.NewController().For<Widget>().Complete(reconciler);
        running.Start();
        await running.WaitReadyAsync();

        await fixture.Admin.CreateAsync(Widget.Named(ns, "w", "first"));
        await Eventually.UntilAsync(() => reconciler.Calls.Any(c => c.Key == $"{ns}/w" && c.Message == "first"), "the created widget is reconciled");

        await fixture.Admin.PatchAsync<Widget>(ns, "w", PatchType.Merge, """{"spec":{"message":"second"}}""");
        await Eventually.UntilAsync(() => reconciler.Calls.Any(c => c.Key == $"{ns}/w" && c.Message == "second" && c.Generation == 2), "the update is reconciled");

        var before = await running.MetricAsync("controller_runtime_reconcile_total", ("controller", "widget"), ("result", "success"));
        await fixture.Admin.DeleteAsync<Widget>(ns, "w");
        await Eventually.UntilAsync(() => running.Manager.Client.Get<Widget>(new ObjectKey(ns, "w")) is null, "the cache drops the widget");
        await Eventually.UntilAsync(
            async () => await running.MetricAsync("controller_runtime_reconcile_total", ("controller", "widget"), ("result", "success")) > before,
            "the deletion is processed");
        reconciler.Calls.ShouldAllBe(c => !c.Deleting, "a deleted object is never reconciled as a live one");
    }

    [Fact]
    public async Task An_index_follows_creates_updates_and_deletes()
    {
        var ns = await NamespaceAsync();
        await using var running = new RunningManager(fixture.Plane, new ManagerOptions { Namespace = ns });
        running.Manager.NewController().For<Widget>().IndexedBy("message", w => w.Spec.Message is { } m ? [m] : []).Complete(new RecordingReconciler());
        await fixture.Admin.CreateAsync(Widget.Named(ns, "before-start", "red"));
        running.Start();
        await running.WaitReadyAsync();
        var store = running.Manager.Cache.TryGetStore<Widget>()!;
        string[] Named(string message) => [.. store.ByIndex("message", message).Select(w => w.Metadata.Name).Order(StringComparer.Ordinal)];

        Named("red").ShouldBe(["before-start"], "objects listed at start are indexed");
        await fixture.Admin.CreateAsync(Widget.Named(ns, "later", "red"));
        await Eventually.UntilAsync(() => Named("red").Length == 2, "a created object joins its value");

        await fixture.Admin.PatchAsync<Widget>(ns, "later", PatchType.Merge, """{"spec":{"message":"blue"}}""");
        await Eventually.UntilAsync(() => Named("blue").Length == 1, "an updated object moves to its new value");
        Named("red").ShouldBe(["before-start"], "and leaves its old one");

        await fixture.Admin.DeleteAsync<Widget>(ns, "before-start");
        await Eventually.UntilAsync(() => Named("red").Length == 0, "a deleted object leaves the index");
        Should.Throw<ArgumentException>(() => store.ByIndex("colour", "red")).Message.ShouldContain("No index named 'colour'");
    }

    [Fact]
    public async Task The_leading_manager_trims_the_heap_after_an_allocation_burst()
    {
        await using var running = await StartTrimmingAsync(afterBytes: 1);

        await Eventually.UntilAsync(async () => await running.MetricAsync("heap_trims_total") >= 1, "the manager trims the heap", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task No_heap_trim_when_it_is_turned_off()
    {
        await using var running = await StartTrimmingAsync(afterBytes: 0);

        await Task.Delay(TimeSpan.FromSeconds(2));
        (await running.MetricAsync("heap_trims_total")).ShouldBe(0);
    }

    // A leading manager whose heap trim follows any allocation of afterBytes (0: off). The test host never stops
    // allocating, so "quiet" here is any allocation at all; the policy's own tests (BurstEndTests) check what quiet means.
    private async Task<RunningManager> StartTrimmingAsync(long afterBytes)
    {
        var options = new ManagerOptions { Namespace = await NamespaceAsync(), HeapTrimAfterBytes = afterBytes, HeapTrimQuiet = TimeSpan.FromMilliseconds(300), HeapTrimQuietBytes = long.MaxValue };
        var running = new RunningManager(fixture.Plane, options);
        running.Manager.NewController().For<Widget>().Complete(new RecordingReconciler());
        running.Start();
        await running.WaitReadyAsync();
        return running;
    }

    [Fact]
    public async Task A_finalizer_runs_once_before_the_object_goes_away()
    {
        var ns = await NamespaceAsync();
        var reconciler = new RecordingReconciler();
        var finalizer = new CountingFinalizer();
        await using var running = new RunningManager(fixture.Plane, new ManagerOptions { Namespace = ns });
        running.Manager.NewController().For<Widget>().WithFinalizer(finalizer).Complete(reconciler);
        running.Start();
        await running.WaitReadyAsync();

        await fixture.Admin.CreateAsync(Widget.Named(ns, "w"));
        await Eventually.UntilAsync(
            async () => (await fixture.Admin.GetAsync<Widget>(ns, "w"))?.Metadata.Finalizers?.Contains(CountingFinalizer.FinalizerName) == true,
            "the finalizer is added");

        await fixture.Admin.DeleteAsync<Widget>(ns, "w");
        await Eventually.UntilAsync(async () => await fixture.Admin.GetAsync<Widget>(ns, "w") is null, "the widget is gone");
        await Eventually.UntilAsync(() => running.Manager.Client.Get<Widget>(new ObjectKey(ns, "w")) is null, "the cache drops the widget");
        await Eventually.UntilAsync(() => running.Manager.Controllers[0] is Controller<Widget> c && c.Queue.Count == 0, "the queue is empty");

        finalizer.Calls.ShouldBe(1);
        finalizer.SawDeletionTimestamp.ShouldBeTrue();
        reconciler.Calls.ShouldAllBe(c => !c.Deleting);
    }

    [Fact]
    public async Task Putting_the_finalizer_on_costs_no_second_reconcile_and_taking_it_off_brings_it_back()
    {
        var ns = await NamespaceAsync();
        var reconciler = new RecordingReconciler();
        await using var running = new RunningManager(fixture.Plane, new ManagerOptions { Namespace = ns });
        running.Manager.NewController().For<Widget>().ReconcilesUpdatesWhen(UpdateFilters.SpecOrMetadataChanged).WithFinalizer(new CountingFinalizer()).Complete(reconciler);
        running.Start();
        await running.WaitReadyAsync();

        await fixture.Admin.CreateAsync(Widget.Named(ns, "w"));
        await Eventually.UntilAsync(
            async () => (await fixture.Admin.GetAsync<Widget>(ns, "w"))?.Metadata.Finalizers?.Contains(CountingFinalizer.FinalizerName) == true,
            "the finalizer is put on");
        await Eventually.UntilAsync(() => running.Manager.Client.Get<Widget>(new ObjectKey(ns, "w"))?.Metadata.Finalizers?.Count == 1, "the cache sees it");
        await Task.Delay(TimeSpan.FromSeconds(2));
        reconciler.CountFor("w").ShouldBe(1, "the update that put the finalizer on was the same reconcile's");

        // Someone takes it off (kubectl edit): the object is reconciled and the finalizer goes back on.
        await fixture.Admin.PatchAsync<Widget>(ns, "w", PatchType.Merge, """{"metadata":{"finalizers":null}}""");
        await Eventually.UntilAsync(() => reconciler.CountFor("w") == 2, "taking the finalizer off is reconciled");
        await Eventually.UntilAsync(
            async () => (await fixture.Admin.GetAsync<Widget>(ns, "w"))?.Metadata.Finalizers?.Contains(CountingFinalizer.FinalizerName) == true,
            "the finalizer is back");
    }

    [Fact]
    public async Task A_throwing_reconciler_is_retried_with_growing_delays_and_reported()
    {
        var ns = await NamespaceAsync();
        var reconciler = new RecordingReconciler((_, _) => throw new InvalidOperationException("the widget factory is on fire"));
        await using var running = new RunningManager(fixture.Plane, new ManagerOptions { Namespace = ns, BackoffBase = TimeSpan.FromMilliseconds(20) });
        running.Manager.NewController().For<Widget>().Complete(reconciler);
        running.Start();
        await running.WaitReadyAsync();

        await fixture.Admin.CreateAsync(Widget.Named(ns, "w"));
        await Eventually.UntilAsync(() => reconciler.CountFor("w") >= 6, "six attempts");

        var times = reconciler.Calls.Where(c => c.Key == $"{ns}/w").Select(c => c.At).Take(6).ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        for (var i = 0; i < gaps.Count; i++)
        {
            // Backoff 20 ms · 2^i; a little timer slack allowed below.
            gaps[i].ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds((20 << i) - 5), $"attempt {i + 2} came too early: {string.Join(", ", gaps)}");
        }

        gaps[4].ShouldBeGreaterThan(gaps[1], "the delays grow");
        (await running.MetricAsync("controller_runtime_reconcile_errors_total", ("controller", "widget"))).ShouldBeGreaterThanOrEqualTo(5);
        (await running.MetricAsync("controller_runtime_reconcile_total", ("controller", "widget"), ("result", "error"))).ShouldBeGreaterThanOrEqualTo(5);
        (await running.MetricAsync("workqueue_retries_total", ("name", "widget"))).ShouldBeGreaterThanOrEqualTo(5);

        await Eventually.UntilAsync(
            async () =>
            {
                var events = await fixture.Plane.AdminClient.CoreV1.ListNamespacedEventAsync(ns);
                var errors = events.Items.Where(e => e.Reason == "ReconcileError" && e.InvolvedObject.Name == "w").ToList();
                return errors.Count == 1 && errors[0].Count > 1 && errors[0].Type == EventTypes.Warning && errors[0].Message.Contains("on fire", StringComparison.Ordinal);
            },
            "one deduplicated Warning Event with a count above one");
    }

    [Fact]
    public async Task A_no_op_resync_sends_zero_write_requests()
    {
        var ns = await NamespaceAsync();
        RunningManager? self = null;
        var reconciler = new RecordingReconciler(async (widget, ct) =>
        {
            var client = self!.Manager.Client;
            await client.ApplyAsync(widget, new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = widget.Metadata.Name + "-config" },
                Data = new Dictionary<string, string> { ["message"] = widget.Spec.Message ?? string.Empty },
            }, ct);
            await client.PruneAsync<V1ConfigMap>(widget, [widget.Metadata.Name + "-config"], ct);
            widget.Status ??= new WidgetStatus();
            widget.Status.ObservedGeneration = widget.Metadata.Generation;
            ConditionSet.Set(widget.Status.Conditions, "Ready", true, "Reconciled", "The config is applied.", widget.Metadata.Generation);
            await client.PatchStatusAsync(widget, ct);
            return ReconcileResult.Done;
        });
        await using var running = self = new RunningManager(fixture.Plane, new ManagerOptions { Namespace = ns, ResyncPeriod = TimeSpan.FromSeconds(1) });
        running.Manager.NewController().For<Widget>().Owns<V1ConfigMap>().Complete(reconciler);
        running.Start();
        await running.WaitReadyAsync();

        string[] names = ["a", "b", "c"];
        foreach (var name in names)
        {
            await fixture.Admin.CreateAsync(Widget.Named(ns, name));
        }

        await Eventually.UntilAsync(
            () => names.All(n =>
                ConditionSet.IsTrue(running.Manager.Client.Get<Widget>(new ObjectKey(ns, n))?.Status?.Conditions, "Ready")
                && running.Manager.Client.Get<V1ConfigMap>(new ObjectKey(ns, n + "-config")) is not null),
            "every widget is Ready with its ConfigMap cached");
        var settledWrites = running.Counter.Writes.Count;
        // One apply and one status patch per primary; a reconcile that runs before the cache saw its own status patch
        // may patch again (the cache lags by one watch event), which is why this is a lower bound.
        settledWrites.ShouldBeGreaterThanOrEqualTo(6);
        running.Counter.Writes.ShouldAllBe(w => w.StartsWith("PATCH ", StringComparison.Ordinal));

        running.Counter.Reset();
        var counts = names.ToDictionary(n => n, reconciler.CountFor);
        await Eventually.UntilAsync(() => names.All(n => reconciler.CountFor(n) >= counts[n] + 2), "two resyncs of every widget");

        running.Counter.Writes.ShouldBeEmpty();
        running.Counter.Requests.ShouldBe(0, "reads come from the cache, too");

        // A change is applied; a ConfigMap the spec no longer wants is pruned.
        await fixture.Admin.PatchAsync<Widget>(ns, "a", PatchType.Merge, """{"spec":{"message":"changed"}}""");
        await Eventually.UntilAsync(
            () => running.Manager.Client.Get<V1ConfigMap>(new ObjectKey(ns, "a-config"))?.Data["message"] == "changed",
            "the change reaches the child");
        var stray = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "stray", NamespaceProperty = ns } };
        var owner = running.Manager.Client.Get<Widget>(new ObjectKey(ns, "b"))!;
        await running.Manager.Client.ApplyAsync(owner, stray);
        await Eventually.UntilAsync(async () => await fixture.Admin.GetAsync<V1ConfigMap>(ns, "stray") is null, "the stray child is pruned", TimeSpan.FromSeconds(10));
    }

    private sealed class CountingFinalizer : IFinalizer<Widget>
    {
        public const string FinalizerName = "runtime.test.metrics.lsst.io/cleanup";
        private int calls;

        public string Name => FinalizerName;

        public int Calls => Volatile.Read(ref calls);

        public bool SawDeletionTimestamp { get; private set; }

        public Task FinalizeAsync(Widget entity, CancellationToken cancellationToken)
        {
            SawDeletionTimestamp = entity.Metadata.DeletionTimestamp is not null;
            Interlocked.Increment(ref calls);
            return Task.CompletedTask;
        }
    }
}

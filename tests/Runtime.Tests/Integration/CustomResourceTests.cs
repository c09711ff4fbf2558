using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Runtime.Tests.Integration;

/// <summary>The runtime over a custom resource, end to end: the kind the operator is for.</summary>
[Collection(SharedPlaneGroup.Name)]
public sealed class CustomResourceTests(SharedPlaneFixture fixture)
{
    [Fact]
    public async Task A_custom_resource_is_reconciled_with_conditions_children_and_finalizer_and_resyncs_without_writes()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("cr");
        RunningManager? self = null;
        var finalized = 0;
        var reconciler = new WidgetReconciler(() => self!.Manager.Client);
        await using var running = self = new RunningManager(fixture.Plane, new ManagerOptions { Namespace = ns, ResyncPeriod = TimeSpan.FromSeconds(1) });
        running.Manager.NewController()
            .For<Widget>()
            .Owns<V1ConfigMap>()
            .WithFinalizer(new DelegateFinalizer("runtime.test.metrics.lsst.io/cleanup", () => Interlocked.Increment(ref finalized)))
            .Complete(reconciler);
        running.Start();
        await running.WaitReadyAsync();

        await fixture.Admin.CreateAsync(Widget.Named(ns, "w", "one"));
        await Eventually.UntilAsync(
            () => running.Manager.Client.Get<Widget>(new ObjectKey(ns, "w")) is { } w
                && ConditionSet.IsTrue(w.Status?.Conditions, "Ready")
                && w.Status!.ObservedGeneration == 1
                && running.Manager.Client.Get<V1ConfigMap>(new ObjectKey(ns, "w"))?.Data["message"] == "one",
            "the widget is Ready with its ConfigMap");
        var ready = ConditionSet.Find(running.Manager.Client.Get<Widget>(new ObjectKey(ns, "w"))!.Status!.Conditions, "Ready")!;

        running.Counter.Reset();
        var calls = reconciler.Calls;
        await Eventually.UntilAsync(() => reconciler.Calls >= calls + 2, "two resyncs");
        running.Counter.Writes.ShouldBeEmpty();

        await fixture.Admin.PatchAsync<Widget>(ns, "w", PatchType.Merge, """{"spec":{"message":"two"}}""");
        await Eventually.UntilAsync(
            () => running.Manager.Client.Get<Widget>(new ObjectKey(ns, "w"))?.Status?.ObservedGeneration == 2
                && running.Manager.Client.Get<V1ConfigMap>(new ObjectKey(ns, "w"))?.Data["message"] == "two",
            "the update is reconciled");
        var after = ConditionSet.Find(running.Manager.Client.Get<Widget>(new ObjectKey(ns, "w"))!.Status!.Conditions, "Ready")!;
        after.LastTransitionTime.ShouldBe(ready.LastTransitionTime, "Ready stayed True: no transition");
        after.ObservedGeneration.ShouldBe(2);

        await fixture.Admin.DeleteAsync<Widget>(ns, "w");
        await Eventually.UntilAsync(async () => await fixture.Admin.GetAsync<Widget>(ns, "w") is null, "the widget is gone");
        finalized.ShouldBe(1);
    }

    private sealed class WidgetReconciler(Func<ObjectClient> client) : IReconciler<Widget>
    {
        private int calls;

        public int Calls => Volatile.Read(ref calls);

        public async Task<ReconcileResult> ReconcileAsync(Widget entity, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            var c = client();
            await c.ApplyAsync(entity, new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = entity.Metadata.Name },
                Data = new Dictionary<string, string> { ["message"] = entity.Spec.Message ?? string.Empty },
            }, cancellationToken);
            entity.Status ??= new WidgetStatus();
            entity.Status.ObservedGeneration = entity.Metadata.Generation;
            ConditionSet.Set(entity.Status.Conditions, "Ready", true, "Reconciled", "The ConfigMap is applied.", entity.Metadata.Generation);
            await c.PatchStatusAsync(entity, cancellationToken);
            return ReconcileResult.Done;
        }
    }

    private sealed class DelegateFinalizer(string name, Action action) : IFinalizer<Widget>
    {
        public string Name => name;

        public Task FinalizeAsync(Widget entity, CancellationToken cancellationToken)
        {
            action();
            return Task.CompletedTask;
        }
    }
}

using MetricsOperator.Crds;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Integration;

/// <summary>The MetricsStack controller's reconciles, for the harnesses that run the operator: counted, and asked for.</summary>
internal static class StackReconciles
{
    /// <summary>Every reconcile the MetricsStack controller finished, whatever its outcome.</summary>
    public static double Count(Manager manager) =>
        new[] { ReconcileResultLabels.Success, ReconcileResultLabels.Error, ReconcileResultLabels.Requeue, ReconcileResultLabels.RequeueAfter }
            .Sum(r => manager.Metrics.ReconcileTotal.WithLabels(MetricsStackReconciler.ControllerName, r).Value);

    /// <summary>The count once it has not moved for a second: no stack reconcile is queued or running any more.</summary>
    public static async Task<double> QuietCountAsync(Manager manager)
    {
        var count = Count(manager);
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = Count(manager);
            if (now == count)
            {
                return count;
            }

            count = now;
        }
    }

    /// <summary>Queues the stack as a resync would, and waits until a reconcile that started after this call finished.</summary>
    public static async Task AgainAsync(Manager manager, string ns, string name)
    {
        var controller = (Controller<V1Alpha1MetricsStack>)manager.Controllers.Single(c => c.Name == MetricsStackReconciler.ControllerName);

        // A reconcile already running began before the caller's last step (a clock advance, an edit in Grafana) and may
        // not see it, yet it would be the one counted: wait for it to end, so the reconcile counted starts after the call.
        await Eventually.UntilAsync(
            () => Task.FromResult(manager.Metrics.ActiveWorkers.WithLabels(MetricsStackReconciler.ControllerName).Value == 0),
            "the stack reconciles already running to end");
        var target = Count(manager) + 1;
        controller.Queue.Add(new Runtime.Reconcile.ObjectKey(ns, name));
        await Eventually.UntilAsync(() => Task.FromResult(Count(manager) >= target), "the requested reconcile");
    }
}

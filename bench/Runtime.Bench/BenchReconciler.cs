using System.Diagnostics;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Runtime.Bench;

/// <summary>
/// A trivial reconciler: applies one small ConfigMap per Widget (server-side apply, skipped when the cached child carries
/// the same hash), then sets Ready and observedGeneration and patches the status (skipped when unchanged).
/// </summary>
internal sealed class BenchReconciler(Func<ObjectClient> client) : IReconciler<BenchWidget>
{
    private long reconciles;
    private long inFlight;
    private long applies;
    private long statusWrites;
    private long lastDone;

    public long Reconciles => Interlocked.Read(ref reconciles);

    public long InFlight => Interlocked.Read(ref inFlight);

    public long Applies => Interlocked.Read(ref applies);

    public long StatusWrites => Interlocked.Read(ref statusWrites);

    /// <summary>Stopwatch timestamp of the last finished reconcile.</summary>
    public long LastDone => Interlocked.Read(ref lastDone);

    public static V1ConfigMap Child(BenchWidget widget) => new()
    {
        Metadata = new V1ObjectMeta { Name = widget.Metadata.Name },
        Data = new Dictionary<string, string> { ["message"] = widget.Spec.Message ?? string.Empty },
    };

    public async Task<ReconcileResult> ReconcileAsync(BenchWidget entity, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref inFlight);
        try
        {
            var c = client();
            if (await c.ApplyAsync(entity, Child(entity), cancellationToken) == ApplyResult.Applied)
            {
                Interlocked.Increment(ref applies);
            }

            entity.Status ??= new BenchWidgetStatus();
            entity.Status.ObservedGeneration = entity.Metadata.Generation;
            ConditionSet.Set(entity.Status.Conditions, "Ready", true, "Reconciled", "The ConfigMap is applied.", entity.Metadata.Generation);
            if (await c.PatchStatusAsync(entity, cancellationToken))
            {
                Interlocked.Increment(ref statusWrites);
            }

            return ReconcileResult.Done;
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
            Interlocked.Increment(ref reconciles);
            Interlocked.Exchange(ref lastDone, Stopwatch.GetTimestamp());
        }
    }
}

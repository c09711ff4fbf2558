using k8s;
using k8s.Models;

namespace MetricsOperator.Runtime.Controller;

/// <summary>
/// Which updates of an object are worth a reconcile (pure): controller-runtime's <c>GenerationChangedPredicate</c>
/// plus the metadata a reconciler or finalizer acts on. A reconciler's own status patch comes back as an update; read
/// as a change it would reconcile the object again at once, past its backoff.
/// </summary>
public static class UpdateFilters
{
    /// <summary>
    /// True when the spec (generation), deletion, labels or annotations changed, or a finalizer was taken off: false for
    /// a status-only update (the status subresource leaves the generation alone) and for a finalizer put on. The
    /// runtime puts its own finalizers on in the reconcile that goes on to converge the object, so the update that
    /// follows has nothing new for it; read as a change, it cost every new object a second reconcile (1000 AppAlerts
    /// took 2,038, docs/performance.md). A finalizer taken off is news: the runtime puts its own back.
    /// </summary>
    public static bool SpecOrMetadataChanged<T>(T old, T updated)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        var (a, b) = (old.Metadata, updated.Metadata);
        return a.Generation != b.Generation
            || a.DeletionTimestamp != b.DeletionTimestamp
            || (a.Finalizers ?? []).Any(f => !(b.Finalizers ?? []).Contains(f))
            || !SameMap(a.Labels, b.Labels)
            || !SameMap(a.Annotations, b.Annotations);
    }

    private static bool SameMap(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value);
}

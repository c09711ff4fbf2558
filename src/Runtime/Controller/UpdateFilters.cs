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
    /// True when the spec (generation), deletion, finalizers, labels or annotations changed: false for a status-only
    /// update (the status subresource leaves the generation alone).
    /// </summary>
    public static bool SpecOrMetadataChanged<T>(T old, T updated)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        var (a, b) = (old.Metadata, updated.Metadata);
        return a.Generation != b.Generation
            || a.DeletionTimestamp != b.DeletionTimestamp
            || !SameList(a.Finalizers, b.Finalizers)
            || !SameMap(a.Labels, b.Labels)
            || !SameMap(a.Annotations, b.Annotations);
    }

    private static bool SameList(IList<string>? a, IList<string>? b) => (a ?? []).SequenceEqual(b ?? []);

    private static bool SameMap(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value);
}

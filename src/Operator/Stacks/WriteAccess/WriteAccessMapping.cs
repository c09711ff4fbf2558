using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Reconcile;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks.WriteAccess;

/// <summary>Which stacks a namespace's opt-in label concerns, for the Namespace watch of the MetricsStack controller.</summary>
public static class WriteAccessMapping
{
    /// <summary>The stacks named by <paramref name="ns"/>'s opt-in label (any namespace: the label names a stack, not where it lives).</summary>
    public static IEnumerable<ObjectKey> StacksFor(Manager manager, V1Namespace ns)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(ns);
        if (ns.Metadata.Labels?.TryGetValue(WriteTokenSecrets.OptInLabel, out var stack) != true)
        {
            return [];
        }

        return (manager.Cache.TryGetStore<V1Alpha1MetricsStack>()?.List() ?? [])
            .Where(s => s.Metadata.Name == stack)
            .Select(ObjectKey.Of)
            .ToList();
    }

    /// <summary>Only a change of the opt-in label, or the namespace starting to terminate, changes what a stack delivers.</summary>
    public static bool OptInChanged(V1Namespace old, V1Namespace updated)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        return OptIn(old) != OptIn(updated)
            || (old.Metadata.DeletionTimestamp is null) != (updated.Metadata.DeletionTimestamp is null);
    }

    private static string? OptIn(V1Namespace ns) =>
        ns.Metadata.Labels is { } labels && labels.TryGetValue(WriteTokenSecrets.OptInLabel, out var value) ? value : null;
}

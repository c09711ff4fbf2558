using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Alerts;

/// <summary>Which MetricsStack an AppAlert targets, and whether it is ready for rules. Pure.</summary>
public static class StackResolution
{
    /// <summary>
    /// The stack <paramref name="alert"/> names (stackRef, its namespace defaulting to the AppAlert's), or the cluster's
    /// only stack; null with the reason when there is none, or several and no stackRef.
    /// </summary>
    public static (V1Alpha1MetricsStack? Stack, string Problem) Resolve(V1Alpha1AppAlert alert, IReadOnlyCollection<V1Alpha1MetricsStack> stacks)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(stacks);
        if (alert.Spec?.StackRef is { Name.Length: > 0 } reference)
        {
            var key = Named(alert);
            var stack = stacks.FirstOrDefault(s => ObjectKey.Of(s) == key);
            return stack is null ? (null, $"MetricsStack {key} (spec.stackRef) does not exist") : (stack, "");
        }

        return stacks.Count switch
        {
            1 => (stacks.First(), ""),
            0 => (null, "there is no MetricsStack in the cluster"),
            _ => (null, $"the cluster has {stacks.Count} MetricsStacks: set spec.stackRef"),
        };
    }

    /// <summary>The key of the stack an AppAlert names, or null when it names none.</summary>
    public static ObjectKey? Named(V1Alpha1AppAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.Spec?.StackRef is { Name.Length: > 0 } reference
            ? new ObjectKey(reference.Namespace is { Length: > 0 } ns ? ns : alert.Metadata.NamespaceProperty ?? "default", reference.Name)
            : null;
    }

    /// <summary>Whether <paramref name="alert"/> targets <paramref name="stack"/>, given how many stacks there are.</summary>
    public static bool Targets(V1Alpha1AppAlert alert, V1Alpha1MetricsStack stack, int stackCount)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return Named(alert) is { } key ? key == ObjectKey.Of(stack) : stackCount == 1;
    }

    /// <summary>Whether the stack's Grafana may receive rules: not being deleted, and its Ready condition True. Otherwise why not.</summary>
    public static string? NotReadyBecause(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var key = ObjectKey.Of(stack);
        if (stack.Metadata.DeletionTimestamp is not null)
        {
            return $"MetricsStack {key} is being deleted";
        }

        var ready = ConditionSet.Find(stack.Status?.Conditions, MetricsStackConditions.Ready);
        return ready?.Status == ConditionSet.True
            ? null
            : $"MetricsStack {key} is not ready" + (ready is null ? "" : $" ({ready.Reason}: {ready.Message})");
    }
}

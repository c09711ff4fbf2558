using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Reconcile;
using MetricsOperator.Stacks;

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

    /// <summary>
    /// Why the stack's Grafana may not receive rules now, as an AppAlert reason and message; null when it may. Only
    /// what rules need is read: the stack exists and is not being deleted (else <c>StackNotReady</c>), and its
    /// <c>GrafanaReady</c> is True — Grafana runs (or is external) with its datasources (False or Unknown:
    /// <c>GrafanaUnavailable</c>; not reported yet: <c>StackNotReady</c>), and its spec is not refused (<c>Ready</c>
    /// False with reason InvalidSpec: <c>StackNotReady</c>). Not the stack's <c>Ready</c> otherwise: an InfluxDB
    /// outage, a failing backup or a Telegraf rollout must not freeze alert edits. Not <c>AlertingReady</c> either:
    /// rules name no contact point (the policy routes them by label), and that condition is built from the AppAlerts
    /// themselves and fails on a contact point's missing Secret; rules written before it is True notify through the
    /// default route until the policy lands. A GrafanaReady observed at an older generation than the stack's (its current
    /// spec was refused) is <c>StackNotReady</c> with the stack's Ready reason.
    /// </summary>
    public static (string Reason, string Message)? Gate(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var key = ObjectKey.Of(stack);
        if (stack.Metadata.DeletionTimestamp is not null)
        {
            return (AppAlertReasons.StackNotReady, $"MetricsStack {key} is being deleted");
        }

        if (HasInvalidSpec(stack))
        {
            // Its component conditions are left from an older spec; the rules depend on this one's datasources and Grafana.
            var ready = ConditionSet.Find(stack.Status?.Conditions, MetricsStackConditions.Ready)!;
            return (AppAlertReasons.StackNotReady, $"MetricsStack {key} has an invalid spec: {ready.Message}");
        }

        var grafana = ConditionSet.Find(stack.Status?.Conditions, MetricsStackConditions.GrafanaReady);
        if (grafana?.ObservedGeneration is { } seen && seen < stack.Metadata.Generation)
        {
            // The stack's current spec was not applied (refused as InvalidSpec, ApplyRejected, …): GrafanaReady speaks of an
            // older spec, and Ready says why the current one is not in effect.
            var ready = ConditionSet.Find(stack.Status?.Conditions, MetricsStackConditions.Ready);
            return (AppAlertReasons.StackNotReady, $"MetricsStack {key} has not applied generation {stack.Metadata.Generation}" + (ready is null ? "" : $" ({ready.Reason}: {ready.Message})"));
        }

        return grafana?.Status switch
        {
            ConditionSet.True => null,
            null => (AppAlertReasons.StackNotReady, $"MetricsStack {key} has not reported GrafanaReady yet"),
            _ => (AppAlertReasons.GrafanaUnavailable, $"MetricsStack {key}: GrafanaReady is {grafana.Status} ({grafana.Reason}: {grafana.Message})"),
        };
    }

    /// <summary>
    /// Whether a change of <paramref name="old"/> into <paramref name="updated"/> can change <see cref="Gate"/> or the rules
    /// (spec, deletion, GrafanaReady's status or the generation it was observed at, InvalidSpec). The observed generation
    /// counts: after a spec change (spec.environment, a datasource) the gate waits until GrafanaReady speaks of the new
    /// generation, and that status write, though GrafanaReady stays True, is what opens it.
    /// </summary>
    public static bool GateOrSpecChanged(V1Alpha1MetricsStack old, V1Alpha1MetricsStack updated)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        static (string?, long?) Grafana(V1Alpha1MetricsStack s) =>
            ConditionSet.Find(s.Status?.Conditions, MetricsStackConditions.GrafanaReady) is { } c ? (c.Status, c.ObservedGeneration) : (null, null);
        return old.Metadata.Generation != updated.Metadata.Generation
            || old.Metadata.DeletionTimestamp != updated.Metadata.DeletionTimestamp
            || Grafana(old) != Grafana(updated)
            || HasInvalidSpec(old) != HasInvalidSpec(updated);
    }

    private static bool HasInvalidSpec(V1Alpha1MetricsStack stack) =>
        ConditionSet.Find(stack.Status?.Conditions, MetricsStackConditions.Ready) is { Status: ConditionSet.False, Reason: StackStatusReporter.Reasons.InvalidSpec };
}

using MetricsOperator.Crds;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Alerts;

/// <summary>
/// Where status says an AppAlert's rule group was last written (<c>status.grafana</c>). Cleanup goes by this record, not
/// by the spec: after <c>stackRef</c> changed, or when the spec's stack cannot be resolved, the rules are still where
/// they were written, and still firing there. Pure.
/// </summary>
public static class RecordedLocation
{
    /// <summary>The stack whose Grafana holds the group, or null (never written, or written before status recorded it).</summary>
    public static ObjectKey? Stack(V1Alpha1AppAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.Status?.Grafana?.Stack is { Length: > 0 } key ? ObjectKey.Parse(key) : null;
    }

    /// <summary>The folder and group written, or null.</summary>
    public static (string Folder, string Group)? Group(V1Alpha1AppAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.Status?.Grafana is { FolderUid.Length: > 0, RuleGroup.Length: > 0 } at ? (at.FolderUid!, at.RuleGroup!) : null;
    }

    /// <summary>Whether the group lives in another stack's Grafana than <paramref name="target"/>'s: it must be removed there first.</summary>
    public static bool ElsewhereThan(V1Alpha1AppAlert alert, V1Alpha1MetricsStack target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Stack(alert) is { } recorded && recorded != ObjectKey.Of(target) && Group(alert) is not null;
    }
}

using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts.Routing;

/// <summary>
/// The notification policy tree is one object per Grafana organisation; environments sharing a Grafana each own one
/// child route of its root, the one whose only matcher is <c>environment=&lt;env&gt;</c>. These pure functions find
/// that subtree in a stored tree and put a new one in its place, leaving the root (receiver, grouping, timings) and
/// every other route exactly as read. Without an environment the stack owns the whole tree, as it always did.
/// </summary>
public static class PolicyTree
{
    /// <summary>Whether <paramref name="route"/> is <paramref name="environment"/>'s subtree: its only matcher is <c>environment = env</c>.</summary>
    public static bool IsSubtreeOf(NotificationRoute route, string environment)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.ObjectMatchers is [[var label, "=", var value]] && label == NotificationNames.EnvironmentLabel && value == environment;
    }

    /// <summary><paramref name="environment"/>'s subtree in <paramref name="stored"/>, or null.</summary>
    public static NotificationRoute? Subtree(NotificationRoute stored, string environment)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return stored.Routes?.FirstOrDefault(r => IsSubtreeOf(r, environment));
    }

    /// <summary>
    /// <paramref name="stored"/> with <paramref name="subtree"/> in place of <paramref name="environment"/>'s route (every
    /// copy of it, should two writers have added one each), or first among the root's routes when it had none: a route
    /// before it that matched everything would otherwise keep the environment's alerts from reaching it. Environments'
    /// subtrees match disjoint alerts, so their order among themselves does not matter.
    /// </summary>
    public static NotificationRoute WithSubtree(NotificationRoute stored, NotificationRoute subtree, string environment)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(subtree);
        var routes = new List<NotificationRoute>();
        var placed = false;
        foreach (var route in stored.Routes ?? [])
        {
            if (!IsSubtreeOf(route, environment))
            {
                routes.Add(route);
            }
            else if (!placed)
            {
                routes.Add(subtree);
                placed = true;
            }
        }

        if (!placed)
        {
            routes.Insert(0, subtree);
        }

        return stored with { Routes = routes };
    }

    /// <summary>
    /// Whether <paramref name="stored"/> already holds what the stack owns: the whole tree, provisioned, without an
    /// environment; the environment's subtree with it (the root's provenance is everyone's, so it is not compared).
    /// </summary>
    public static bool Holds(NotificationRoute stored, NotificationRoute owned, string? environment)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(owned);
        return environment is null
            ? AlertRouting.SamePolicy(owned, stored)
            : Subtree(stored, environment) is { } subtree && AlertRouting.SameRoute(owned, subtree);
    }

    /// <summary>The tree to PUT: <paramref name="owned"/> itself without an environment, else the stored tree with it as the environment's subtree.</summary>
    public static NotificationRoute ToWrite(NotificationRoute stored, NotificationRoute owned, string? environment)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(owned);
        return environment is null ? owned : WithSubtree(stored, owned, environment);
    }
}

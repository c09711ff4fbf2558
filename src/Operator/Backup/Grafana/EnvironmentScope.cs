using System.Text.Json.Nodes;
using MetricsOperator.Alerts;
using MetricsOperator.Alerts.Routing;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Backup.Grafana;

/// <summary>
/// What one environment owns in a Grafana several environments share (pure), so its backup holds only that and its
/// restore touches only that. Recognised by the names the operator gives (<see cref="AlertNames"/>,
/// <see cref="Alerts.Routing.NotificationNames"/>):
/// <list type="bullet">
/// <item>folders titled <c>&lt;app&gt; (&lt;env&gt;)</c> whose UID is exactly <see cref="AlertNames.FolderUid"/> of that app
/// and environment (so a long, hashed UID is recognised too), the folders nested in them, and their dashboards and
/// rule groups;</item>
/// <item>the datasources <c>influxdb-influxql-&lt;env&gt;</c> and <c>influxdb-flux-&lt;env&gt;</c>;</item>
/// <item>contact points, templates and mute timings named <c>&lt;env&gt;_…</c> (an environment has no <c>_</c>, so
/// <c>idf-dev_slack</c> is <c>idf-dev</c>'s and never <c>idf</c>'s);</item>
/// <item>the child route of the policy tree's root whose only matcher is <c>environment=&lt;env&gt;</c>.</item>
/// </list>
/// Each is told from the names alone: no other environment needs to be known.
/// </summary>
/// <param name="Environment">The environment.</param>
public sealed record EnvironmentScope(string Environment)
{
    /// <summary>The scope of <paramref name="environment"/>.</summary>
    public static EnvironmentScope Of(string environment)
    {
        ArgumentException.ThrowIfNullOrEmpty(environment);
        return new EnvironmentScope(environment);
    }

    /// <summary>Whether a root folder with <paramref name="uid"/> and <paramref name="title"/> is one of the environment's app folders.</summary>
    public bool OwnsFolder(string uid, string title)
    {
        ArgumentNullException.ThrowIfNull(uid);
        ArgumentNullException.ThrowIfNull(title);
        var suffix = $" ({Environment})";
        return title.EndsWith(suffix, StringComparison.Ordinal) && title.Length > suffix.Length
            && AlertNames.FolderUid(title[..^suffix.Length], Environment) == uid;
    }

    /// <summary>Whether <paramref name="uid"/> is one of the environment's InfluxDB datasources.</summary>
    public bool OwnsDatasource(string uid) =>
        uid == AlertNames.DatasourceUid(GrafanaDatasources.InfluxQlUid, Environment) || uid == AlertNames.DatasourceUid(GrafanaDatasources.FluxUid, Environment);

    /// <summary>Whether a contact point, template or mute timing named <paramref name="name"/> is the environment's.</summary>
    public bool OwnsName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.StartsWith(NotificationNames.ForEnvironment(Environment, ""), StringComparison.Ordinal);
    }

    /// <summary>The environment's subtree of <paramref name="tree"/> (a copy), or null when the tree has none.</summary>
    public JsonObject? Subtree(JsonNode? tree) =>
        (tree?["routes"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(IsSubtree)?.DeepClone() as JsonObject;

    /// <summary>
    /// <paramref name="stored"/> with <paramref name="subtree"/> in place of the environment's route (every copy of it),
    /// or first among the root's routes when it has none; the root and every other route exactly as stored. The same
    /// merge as <see cref="Alerts.Routing.PolicyTree.WithSubtree"/>, on Grafana's JSON, which a restore carries whole.
    /// </summary>
    public JsonObject WithSubtree(JsonObject stored, JsonObject subtree)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(subtree);
        var tree = (JsonObject)stored.DeepClone();
        var routes = new JsonArray();
        var placed = false;
        foreach (var route in (tree["routes"] as JsonArray ?? []).ToList())
        {
            if (route is JsonObject o && IsSubtree(o))
            {
                if (!placed)
                {
                    routes.Add(subtree.DeepClone());
                    placed = true;
                }
            }
            else
            {
                routes.Add(route?.DeepClone());
            }
        }

        if (!placed)
        {
            routes.Insert(0, subtree.DeepClone());
        }

        tree["routes"] = routes;
        return tree;
    }

    private bool IsSubtree(JsonObject route) => EnvironmentOf(route) == Environment;

    // The environment a route is the subtree of: its only matcher is environment=<env>.
    private static string? EnvironmentOf(JsonObject route) =>
        route["object_matchers"] is JsonArray { Count: 1 } matchers && matchers[0] is JsonArray { Count: 3 } m
            && m[0]?.GetValue<string>() == AlertNames.EnvironmentLabel && m[1]?.GetValue<string>() == "="
            ? m[2]?.GetValue<string>()
            : null;
}

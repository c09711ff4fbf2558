using System.Text.Json.Nodes;
using MetricsOperator.Backup.Snapshots;

namespace MetricsOperator.Backup.Grafana;

/// <summary>
/// What a restore writes: every snapshot file whose object is missing from Grafana or differs from it, in the order
/// Grafana needs (folders before what lives in them, contact points before the policy tree that routes to them).
/// Objects Grafana has and the snapshot lacks are left alone: a restore adds and repairs, it never deletes. Pure, so
/// "a second restore writes nothing" is a property of this function.
/// </summary>
public static class GrafanaRestorePlan
{
    private static readonly string[] Order =
    [
        GrafanaExportLayout.Folders, GrafanaExportLayout.Datasources, GrafanaExportLayout.Dashboards, GrafanaExportLayout.ContactPoints,
        GrafanaExportLayout.Templates, GrafanaExportLayout.MuteTimings, GrafanaExportLayout.AlertRules, GrafanaExportLayout.Policies,
    ];

    /// <summary>The paths to write, in order.</summary>
    public static IReadOnlyList<string> Writes(IReadOnlyDictionary<string, JsonNode> snapshot, IReadOnlyDictionary<string, JsonNode> current)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(current);
        return snapshot
            .Where(f => !current.TryGetValue(f.Key, out var now) || !CanonicalJson.Same(Comparable(f.Value), Comparable(now)))
            .Select(f => f.Key)
            .OrderBy(Rank)
            .ThenBy(p => p.StartsWith(GrafanaExportLayout.Folders, StringComparison.Ordinal) ? Depth(snapshot, p) : 0)
            .ThenBy(p => p, StringComparer.Ordinal)
            .ToList();
    }

    // What a restore cannot put back is not a difference: secure fields are not in the snapshot.
    private static JsonNode? Comparable(JsonNode? node)
    {
        if (node is not JsonObject o || !o.ContainsKey(GrafanaExportLayout.SecureFieldsLeftOut))
        {
            return node;
        }

        var copy = (JsonObject)o.DeepClone();
        copy.Remove(GrafanaExportLayout.SecureFieldsLeftOut);
        return copy;
    }

    private static int Rank(string path)
    {
        var index = Array.FindIndex(Order, p => path.StartsWith(p, StringComparison.Ordinal));
        return index < 0 ? Order.Length : index;
    }

    // Parents before children: the number of ancestors found in the snapshot.
    private static int Depth(IReadOnlyDictionary<string, JsonNode> snapshot, string path)
    {
        var depth = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var parent = snapshot[path]["parentUid"]?.GetValue<string>(); parent is not null && seen.Add(parent) && depth < 64; depth++)
        {
            parent = snapshot.TryGetValue(GrafanaExportLayout.Folder(parent, "", null).Path, out var p) ? p["parentUid"]?.GetValue<string>() : null;
        }

        return depth;
    }
}

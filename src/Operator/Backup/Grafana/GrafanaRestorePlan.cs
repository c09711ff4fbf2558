using System.Text.Json.Nodes;
using MetricsOperator.Backup.Snapshots;

namespace MetricsOperator.Backup.Grafana;

/// <summary>What a restore step does to one object.</summary>
public enum RestoreAction
{
    /// <summary>The object is missing from Grafana and is created.</summary>
    Create,

    /// <summary>The object exists and differs (or has a secret to put back): it is overwritten.</summary>
    Replace,

    /// <summary>
    /// A contact point of the target that the snapshot holds under the same name with another UID (a fresh Grafana's own
    /// <c>grafana-default-email</c>): deleted once the snapshot's is written, so the receiver is replaced, not duplicated.
    /// </summary>
    RemoveDuplicate,
}

/// <summary>One write of a restore.</summary>
/// <param name="Path">The snapshot path (for <see cref="RestoreAction.RemoveDuplicate"/>, the target's object as it would be filed).</param>
/// <param name="Action">What is done.</param>
/// <param name="Uid">The Grafana UID (or name) the step writes or deletes.</param>
public sealed record RestoreStep(string Path, RestoreAction Action, string Uid);

/// <summary>A secret setting the snapshot left out, and where its value comes from on this restore.</summary>
/// <param name="Path">The contact point's or datasource's snapshot path.</param>
/// <param name="Field">The setting (a contact point's <c>settings</c> key, a datasource's <c>secureJsonData</c> key).</param>
/// <param name="Source">Where the value comes from, for the plan's output; null when a placeholder is written.</param>
public sealed record SecretFill(string Path, string Field, string? Source)
{
    /// <summary>Whether a placeholder is written instead of the secret (the object works again only once it is entered).</summary>
    public bool IsPlaceholder => Source is null;
}

/// <summary>
/// The whole restore, decided before anything is written: every object of the snapshot that is missing from Grafana or
/// differs from it, in the order Grafana needs (folders parents first, datasources, dashboards, contact points, templates,
/// mute timings, rule groups, the policy tree last); where each left-out secret comes from; and every problem that would
/// stop the restore half-way (a receiver, folder or datasource that would not exist), so the restore is refused whole
/// instead. Objects Grafana has and the snapshot lacks are left alone, except the duplicate a fresh Grafana's built-in
/// contact point would make. Pure, so "a second restore writes nothing" is a property of this function.
/// </summary>
public sealed record GrafanaRestorePlan(IReadOnlyList<RestoreStep> Steps, IReadOnlyList<SecretFill> Secrets, IReadOnlyList<string> Problems)
{
    private static readonly string[] Order =
    [
        GrafanaExportLayout.Folders, GrafanaExportLayout.Datasources, GrafanaExportLayout.Dashboards, GrafanaExportLayout.ContactPoints,
        GrafanaExportLayout.Templates, GrafanaExportLayout.MuteTimings, GrafanaExportLayout.AlertRules, GrafanaExportLayout.Policies,
    ];

    // Datasource UIDs a rule may name that are not datasources: Grafana's server-side expressions.
    private static readonly HashSet<string> ExpressionDatasources = new(["__expr__", "-100"], StringComparer.Ordinal);

    /// <summary>
    /// The plan for putting <paramref name="snapshot"/> into a Grafana that holds <paramref name="current"/>, with the
    /// secret values <paramref name="secrets"/> offers (an object with a supplied secret is written even when it looks equal:
    /// the comparison cannot see secrets).
    /// </summary>
    public static GrafanaRestorePlan Build(IReadOnlyDictionary<string, JsonNode> snapshot, IReadOnlyDictionary<string, JsonNode> current, RestoreSecrets? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(current);
        secrets ??= RestoreSecrets.None;
        var steps = new List<RestoreStep>();
        var fills = new List<SecretFill>();
        foreach (var (path, content) in snapshot)
        {
            var exists = current.TryGetValue(path, out var now);
            var uid = path == GrafanaExportLayout.Policies ? "policy tree" : UidOf(content);
            var leftOut = LeftOut(content);
            var supplied = leftOut.Where(field => secrets.Has(uid, field)).ToList();
            if (exists && supplied.Count == 0 && CanonicalJson.Same(Comparable(content), Comparable(now)))
            {
                continue;
            }

            if (exists && now?["readOnly"] is JsonValue readOnly && readOnly.TryGetValue<bool>(out var provisioned) && provisioned)
            {
                // A provisioned datasource (the managed Grafana's own, from its provisioning file): Grafana refuses API
                // writes to it and re-creates it from the file at start, secrets included.
                continue;
            }

            steps.Add(new RestoreStep(path, exists ? RestoreAction.Replace : RestoreAction.Create, uid));
            foreach (var field in leftOut)
            {
                if (secrets.Has(uid, field))
                {
                    fills.Add(new SecretFill(path, field, secrets.SourceOf(uid, field)));
                }
                else if (!exists)
                {
                    // Created without its secret it would fail validation or leave the policy tree a receiver short:
                    // a placeholder Grafana accepts, listed loudly, keeps the restore whole.
                    fills.Add(new SecretFill(path, field, null));
                }
            }
        }

        steps.AddRange(DuplicateContactPoints(snapshot, current));
        var ordered = steps
            .OrderBy(s => Rank(s))
            .ThenBy(s => s.Path.StartsWith(GrafanaExportLayout.Folders, StringComparison.Ordinal) && snapshot.ContainsKey(s.Path) ? Depth(snapshot, s.Path) : 0)
            .ThenBy(s => s.Path, StringComparer.Ordinal)
            .ToList();
        return new GrafanaRestorePlan(ordered, fills, FindProblems(snapshot, current));
    }

    /// <summary>The paths written, in order (deletions of duplicates left out).</summary>
    public static IReadOnlyList<string> Writes(IReadOnlyDictionary<string, JsonNode> snapshot, IReadOnlyDictionary<string, JsonNode> current) =>
        [.. Build(snapshot, current).Steps.Where(s => s.Action != RestoreAction.RemoveDuplicate).Select(s => s.Path)];

    /// <summary>The secret fields the snapshot left out of <paramref name="content"/>.</summary>
    public static IReadOnlyList<string> LeftOut(JsonNode? content) =>
        content is JsonObject o && o[GrafanaExportLayout.SecureFieldsLeftOut] is JsonArray fields
            ? [.. fields.OfType<JsonValue>().Select(f => f.GetValue<string>())]
            : [];

    // The target's contact points that the snapshot holds by name under another UID.
    private static IEnumerable<RestoreStep> DuplicateContactPoints(IReadOnlyDictionary<string, JsonNode> snapshot, IReadOnlyDictionary<string, JsonNode> current)
    {
        var wanted = ContactPoints(snapshot).ToList();
        var names = wanted.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var uids = wanted.Select(c => c.Uid).ToHashSet(StringComparer.Ordinal);
        return ContactPoints(current)
            .Where(c => names.Contains(c.Name) && !uids.Contains(c.Uid))
            .Select(c => new RestoreStep(c.Path, RestoreAction.RemoveDuplicate, c.Uid));
    }

    /// <summary>What would stop the restore half-way: references to objects neither Grafana nor the snapshot will have.</summary>
    private static List<string> FindProblems(IReadOnlyDictionary<string, JsonNode> snapshot, IReadOnlyDictionary<string, JsonNode> current)
    {
        IEnumerable<KeyValuePair<string, JsonNode>> Both() => current.Concat(snapshot);
        var receivers = Both().Where(f => f.Key.StartsWith(GrafanaExportLayout.ContactPoints, StringComparison.Ordinal))
            .Select(f => Str(f.Value, "name")).ToHashSet(StringComparer.Ordinal);
        var folders = Both().Where(f => f.Key.StartsWith(GrafanaExportLayout.Folders, StringComparison.Ordinal))
            .Select(f => Str(f.Value, "uid")).ToHashSet(StringComparer.Ordinal);
        var datasources = Both().Where(f => f.Key.StartsWith(GrafanaExportLayout.Datasources, StringComparison.Ordinal))
            .Select(f => Str(f.Value, "uid")).ToHashSet(StringComparer.Ordinal);
        var muteTimings = Both().Where(f => f.Key.StartsWith(GrafanaExportLayout.MuteTimings, StringComparison.Ordinal))
            .Select(f => Str(f.Value, "name")).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (path, content) in snapshot.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (path == GrafanaExportLayout.Policies)
            {
                foreach (var receiver in Routes(content).Select(r => Str(r, "receiver")).Where(r => r.Length > 0).Distinct().Where(r => !receivers.Contains(r)))
                {
                    problems.Add($"{path}: the policy tree routes to contact point \"{receiver}\", which neither Grafana nor the snapshot has");
                }

                foreach (var timing in Routes(content).SelectMany(r => (r["mute_time_intervals"] as JsonArray ?? []).OfType<JsonValue>().Select(v => v.GetValue<string>())).Distinct().Where(t => !muteTimings.Contains(t)))
                {
                    problems.Add($"{path}: a route mutes with \"{timing}\", a mute timing neither Grafana nor the snapshot has (this Grafana may not serve mute timings)");
                }
            }
            else if (path.StartsWith(GrafanaExportLayout.Folders, StringComparison.Ordinal) && Str(content, "parentUid") is { Length: > 0 } parent && !folders.Contains(parent))
            {
                problems.Add($"{path}: its parent folder \"{parent}\" is in neither Grafana nor the snapshot");
            }
            else if (path.StartsWith(GrafanaExportLayout.Dashboards, StringComparison.Ordinal) && Str(content, "folderUid") is { Length: > 0 } folder && !folders.Contains(folder))
            {
                problems.Add($"{path}: its folder \"{folder}\" is in neither Grafana nor the snapshot");
            }
            else if (path.StartsWith(GrafanaExportLayout.AlertRules, StringComparison.Ordinal))
            {
                if (Str(content, "folderUid") is { Length: > 0 } groupFolder && !folders.Contains(groupFolder))
                {
                    problems.Add($"{path}: its folder \"{groupFolder}\" is in neither Grafana nor the snapshot");
                }

                foreach (var rule in (content["rules"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var title = Str(rule, "title");
                    foreach (var uid in (rule["data"] as JsonArray ?? []).OfType<JsonObject>().Select(q => Str(q, "datasourceUid")).Distinct()
                                 .Where(uid => uid.Length > 0 && !ExpressionDatasources.Contains(uid) && !datasources.Contains(uid)))
                    {
                        problems.Add($"{path}: rule \"{title}\" queries datasource \"{uid}\", which neither Grafana nor the snapshot has");
                    }

                    if (rule["notification_settings"]?["receiver"] is JsonValue receiver && !receivers.Contains(receiver.GetValue<string>()))
                    {
                        problems.Add($"{path}: rule \"{title}\" notifies contact point \"{receiver}\", which neither Grafana nor the snapshot has");
                    }

                    foreach (var timing in (rule["notification_settings"]?["mute_time_intervals"] as JsonArray ?? []).OfType<JsonValue>().Select(v => v.GetValue<string>()).Distinct().Where(t => !muteTimings.Contains(t)))
                    {
                        problems.Add($"{path}: rule \"{title}\" mutes with \"{timing}\", a mute timing neither Grafana nor the snapshot has (this Grafana may not serve mute timings)");
                    }
                }
            }
        }

        return problems;
    }

    private static IEnumerable<JsonObject> Routes(JsonNode? route)
    {
        if (route is not JsonObject o)
        {
            yield break;
        }

        yield return o;
        foreach (var child in (o["routes"] as JsonArray ?? []).SelectMany(Routes))
        {
            yield return child;
        }
    }

    private static IEnumerable<(string Path, string Uid, string Name)> ContactPoints(IReadOnlyDictionary<string, JsonNode> files) =>
        files.Where(f => f.Key.StartsWith(GrafanaExportLayout.ContactPoints, StringComparison.Ordinal))
            .Select(f => (f.Key, Str(f.Value, "uid"), Str(f.Value, "name")));

    // What a restore cannot put back is not a difference: secure fields are not in the snapshot. Nor is what only the
    // snapshot records about an object (the Secret a contact point's secret comes from): Grafana never holds it, so
    // the target's export, made without the MetricsStack, lacks it, and it would read as a change on every run.
    private static JsonNode? Comparable(JsonNode? node)
    {
        if (node is not JsonObject o || !(o.ContainsKey(GrafanaExportLayout.SecureFieldsLeftOut) || o.ContainsKey(GrafanaExportLayout.SecretRef)))
        {
            return node;
        }

        var copy = (JsonObject)o.DeepClone();
        copy.Remove(GrafanaExportLayout.SecureFieldsLeftOut);
        copy.Remove(GrafanaExportLayout.SecretRef);
        return copy;
    }

    private static int Rank(RestoreStep step)
    {
        var index = Array.FindIndex(Order, p => step.Path.StartsWith(p, StringComparison.Ordinal));
        // A duplicate goes right after the contact points are written, before anything routes to the name again.
        return (index < 0 ? Order.Length : index) * 2 + (step.Action == RestoreAction.RemoveDuplicate ? 1 : 0);
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

    private static string UidOf(JsonNode? content) =>
        Str(content, "uid") is { Length: > 0 } uid ? uid : Str(content, "name") is { Length: > 0 } name ? name : Str(content, "title");

    private static string Str(JsonNode? node, string key) => node is JsonObject o && o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}

using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Grafana;

/// <summary>A rule group as returned by <c>GET …/rule-groups/{group}</c>.</summary>
public sealed record GrafanaRuleGroup(string FolderUid, string Title, long IntervalSeconds, IReadOnlyList<JsonObject> Rules);

public sealed partial class GrafanaState
{
    private const long DefaultIntervalSeconds = 60;
    private readonly Dictionary<string, JsonObject> rules = new(StringComparer.Ordinal);
    private readonly Dictionary<GrafanaGroupKey, RuleGroup> groups = [];

    /// <summary>Number of rules stored.</summary>
    public int RuleCount => Locked(() => rules.Count);

    /// <summary>All rules (copies), group by group.</summary>
    public IReadOnlyList<JsonObject> Rules => Locked(() => groups.Values.SelectMany(g => g.Uids).Select(uid => Clone(rules[uid])).ToList());

    /// <summary>All rules as the JSON array <c>GET /api/v1/provisioning/alert-rules</c> returns, written without copying each rule.</summary>
    internal byte[] RulesJson() => Locked(() =>
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(Math.Max(256, rules.Count * 700));
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var uid in groups.Values.SelectMany(g => g.Uids))
            {
                rules[uid].WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    });

    /// <summary>A rule (copy) by UID, or null.</summary>
    public JsonObject? Rule(string uid) => Locked(() => rules.TryGetValue(uid, out var rule) ? Clone(rule) : null);

    /// <summary>A group (copies), or null when it has no rules.</summary>
    public GrafanaRuleGroup? Group(string folderUid, string title) => Locked(() =>
        groups.TryGetValue(new GrafanaGroupKey(folderUid, title), out var group)
            ? new GrafanaRuleGroup(folderUid, title, group.IntervalSeconds, [.. group.Uids.Select(uid => Clone(rules[uid]))])
            : null);

    /// <summary>Drift: edit a stored rule behind the operator's back, as a user in the UI would.</summary>
    public void MutateRule(string uid, Action<JsonObject> change) => Locked(() =>
    {
        ArgumentNullException.ThrowIfNull(change);
        var rule = rules.GetValueOrDefault(uid) ?? throw new KeyNotFoundException($"no rule {uid}");
        change(rule);
        rule["updated"] = GrafanaJson.Time(DateTime.UtcNow);
    });

    /// <summary>Drift: delete a rule behind the operator's back.</summary>
    public bool RemoveRule(string uid) => Locked(() => RemoveRuleLocked(uid));

    /// <summary>
    /// Creates a rule as <c>POST /api/v1/provisioning/alert-rules</c> does (same checks, no HTTP): for tests that start
    /// from rules someone else made. <paramref name="provenance"/> is "api", "file" or "" (editable).
    /// </summary>
    public JsonObject CreateRule(JsonObject request, string provenance = "api") => Locked(() =>
    {
        var uid = request["uid"]?.GetValue<string>() is { Length: > 0 } given ? given : GrafanaNames.NewUid();
        if (GrafanaNames.UidProblem(uid) is { } problem)
        {
            throw new GrafanaException(400, $"invalid alert rule: cannot create rule with UID '{uid}': {problem}");
        }

        var folderUid = request["folderUID"]!.GetValue<string>();
        if (!folders.ContainsKey(folderUid))
        {
            throw new GrafanaException(400, "invalid alert rule: folder does not exist");
        }

        if (rules.ContainsKey(uid))
        {
            throw new GrafanaException(409, $"failed to save alert rule '{uid}' in organization 1 due to conflict: rule UID must be unique");
        }

        EnsureUniqueTitleLocked(uid, request["title"]?.GetValue<string>() ?? "", folderUid, TitleConflictOnCreate, ignore: new HashSet<string>(StringComparer.Ordinal));
        EnsureNotificationSettingsLocked(request);
        var key = new GrafanaGroupKey(folderUid, request["ruleGroup"]!.GetValue<string>());
        // A new rule takes its group's interval, or the default when the group is new (the request's is ignored).
        var group = groups.TryGetValue(key, out var existing) ? existing : new RuleGroup(DefaultIntervalSeconds);
        var rule = GrafanaRuleShape.Stored(request, uid, nextId++, key.FolderUid, key.Title, provenance, DateTime.UtcNow);
        rules[uid] = rule;
        group.Uids.Add(uid);
        groups[key] = group;
        return Clone(rule);
    });

    internal JsonObject UpdateRule(string uid, JsonObject request, string provenance) => Locked(() =>
    {
        var stored = rules.GetValueOrDefault(uid) ?? throw new GrafanaException(404, "could not find alert rule");
        var folderUid = request["folderUID"]!.GetValue<string>();
        if (!folders.ContainsKey(folderUid))
        {
            throw new GrafanaException(400, "invalid alert rule: folder does not exist");
        }

        EnsureSingleRuleProvenance(stored, provenance);
        EnsureUniqueTitleLocked(uid, request["title"]?.GetValue<string>() ?? "", folderUid, TitleConflictOnUpdate, ignore: new HashSet<string>(StringComparer.Ordinal) { uid });
        EnsureNotificationSettingsLocked(request);
        var oldKey = KeyOf(stored);
        var newKey = new GrafanaGroupKey(folderUid, request["ruleGroup"]!.GetValue<string>());
        var updated = GrafanaRuleShape.Stored(request, uid, stored["id"]!.GetValue<long>(), newKey.FolderUid, newKey.Title, provenance, DateTime.UtcNow);
        if (oldKey != newKey)
        {
            RemoveFromGroupLocked(oldKey, uid);
            var target = groups.TryGetValue(newKey, out var g) ? g : new RuleGroup(DefaultIntervalSeconds);
            target.Uids.Add(uid);
            groups[newKey] = target;
        }

        rules[uid] = updated;
        return Clone(updated);
    });

    // Deleting one rule is idempotent (Grafana answers 204 for a rule that is not there).
    internal void DeleteRule(string uid, string provenance) => Locked(() =>
    {
        if (rules.TryGetValue(uid, out var stored))
        {
            EnsureSingleRuleProvenance(stored, provenance);
            RemoveRuleLocked(uid);
        }
    });

    /// <summary>
    /// The group PUT: the body's rules become the group. Rules missing from it are deleted, rules without a UID are
    /// created, rules with a UID are updated (moved from another group if they live elsewhere). As in Grafana before
    /// 11.6 (grafana/grafana#98283), a UID that no rule has is a 500. Unchanged rules are left untouched.
    /// </summary>
    internal void ReplaceGroup(GrafanaGroupKey key, long intervalSeconds, JsonArray? requested, string provenance) => Locked(() =>
    {
        if (intervalSeconds <= 0 || intervalSeconds % GrafanaNames.BaseIntervalSeconds != 0)
        {
            throw new GrafanaException(400, $"invalid alert rule: interval ({intervalSeconds}) should be non-zero and divided exactly by scheduler interval: {GrafanaNames.BaseIntervalSeconds}");
        }

        var current = groups.TryGetValue(key, out var existing) ? existing : null;
        // No "rules" at all only changes the interval (Grafana keeps that for backwards compatibility).
        var incoming = requested?.OfType<JsonObject>().ToList()
            ?? current?.Uids.Select(uid => rules[uid]).ToList()
            ?? [];
        var plan = new List<(string Uid, JsonObject Request, JsonObject? Stored)>();
        foreach (var rule in incoming)
        {
            var uid = rule["uid"]?.GetValue<string>();
            if (string.IsNullOrEmpty(uid))
            {
                plan.Add((GrafanaNames.NewUid(), rule, null));
                continue;
            }

            if (GrafanaNames.UidProblem(uid) is { } problem)
            {
                throw new GrafanaException(400, $"invalid alert rule: {problem}");
            }

            var stored = rules.GetValueOrDefault(uid)
                ?? throw new GrafanaException(500, $"failed to update rule group: failed to calculate changes to the group: failed to fetch rule {uid}: could not find alert rule");
            if (!CanUpdateInGroup(stored["provenance"]!.GetValue<string>(), provenance))
            {
                throw new GrafanaException(500, $"cannot update with provided provenance '{provenance}', needs '{stored["provenance"]}'");
            }

            plan.Add((uid, rule, stored));
        }

        var keep = plan.Select(p => p.Uid).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in current?.Uids.Where(uid => !keep.Contains(uid)).ToList() ?? [])
        {
            if (!CanUpdateInGroup(rules[gone]["provenance"]!.GetValue<string>(), provenance))
            {
                throw new GrafanaException(500, $"cannot delete with provided provenance '{provenance}', needs '{rules[gone]["provenance"]}'");
            }
        }

        // The group's rules after the PUT replace its current ones: only other rules of the folder, and each other, can collide.
        var replaced = new HashSet<string>(current?.Uids ?? [], StringComparer.Ordinal);
        replaced.UnionWith(keep);
        var titles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (uid, request, _) in plan)
        {
            var title = request["title"]?.GetValue<string>() ?? "";
            if (!titles.Add(title))
            {
                throw TitleConflict(TitleConflictOnUpdate, uid, title, key.FolderUid);
            }

            EnsureUniqueTitleLocked(uid, title, key.FolderUid, TitleConflictOnUpdate, replaced);
            EnsureNotificationSettingsLocked(request);
        }

        foreach (var gone in current?.Uids.Where(uid => !keep.Contains(uid)).ToList() ?? [])
        {
            RemoveRuleLocked(gone);
        }

        var group = groups.TryGetValue(key, out var kept) ? kept : new RuleGroup(intervalSeconds);
        group.IntervalSeconds = intervalSeconds;
        group.Uids.Clear();
        var now = DateTime.UtcNow;
        foreach (var (uid, request, stored) in plan)
        {
            if (stored is not null && KeyOf(stored) != key)
            {
                RemoveFromGroupLocked(KeyOf(stored), uid);
            }

            var id = stored?["id"]!.GetValue<long>() ?? nextId++;
            var candidate = GrafanaRuleShape.Stored(request, uid, id, key.FolderUid, key.Title, provenance, now);
            // An unchanged rule keeps its stored version and timestamp: a no-op PUT changes nothing.
            var unchanged = stored is not null && GrafanaRuleShape.SameContent(stored, candidate) &&
                stored["provenance"]!.GetValue<string>() == provenance;
            rules[uid] = unchanged ? stored! : candidate;
            group.Uids.Add(uid);
        }

        if (group.Uids.Count == 0)
        {
            groups.Remove(key);
        }
        else
        {
            groups[key] = group;
        }
    });

    internal bool DeleteGroup(GrafanaGroupKey key) => Locked(() => RemoveGroupLocked(key));

    /// <summary>
    /// Grafana 11.4's store keeps rule titles unique per organisation and folder (the unique index on
    /// <c>alert_rule (org_id, namespace_uid, title)</c>); a violation is <c>ngmodels.ErrAlertRuleUniqueConstraintViolation</c>
    /// wrapped by <c>ngmodels.ErrAlertRuleConflict</c> ("alerting.alert-rule.conflict", pkg/services/ngalert/models/errors.go).
    /// The provisioning API answers it 409 on <c>POST /alert-rules</c> and 400 on the rule PUT and the group PUT.
    /// </summary>
    private void EnsureUniqueTitleLocked(string uid, string title, string folderUid, int status, HashSet<string> ignore)
    {
        // Through the group index: a folder's rules without reading every rule of the organisation.
        var taken = groups.Where(g => g.Key.FolderUid == folderUid).SelectMany(g => g.Value.Uids)
            .Any(other => !ignore.Contains(other) && rules[other]["title"]!.GetValue<string>() == title);
        if (taken)
        {
            throw TitleConflict(status, uid, title, folderUid);
        }
    }

    /// <summary>
    /// A rule's <c>notification_settings</c> as Grafana 11.4 checks them on every provisioning write
    /// (pkg/services/ngalert/notifier NotificationSettingsValidator.Validate after models.NotificationSettings.Validate):
    /// a <c>group_by</c> override holds <c>alertname</c> and <c>grafana_folder</c> (or is <c>...</c> alone); the receiver
    /// is an existing contact point and each mute timing an existing one, all problems joined. The provisioning service
    /// joins them to <c>models.ErrAlertRuleFailedValidation</c> ("invalid alert rule") and the API answers 400 with
    /// <c>err.Error()</c>, errors.Join's lines.
    /// </summary>
    private void EnsureNotificationSettingsLocked(JsonObject request)
    {
        if (request["notification_settings"] is not JsonObject settings)
        {
            return;
        }

        var receiver = settings["receiver"] is JsonValue r && r.TryGetValue<string>(out var name) ? name : "";
        if (receiver.Length == 0)
        {
            throw new GrafanaException(400, "invalid alert rule\nreceiver must be specified");
        }

        var groupBy = (settings["group_by"] as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? "").ToList();
        if (groupBy.Count > 0 && !(groupBy.Count == 1 && groupBy[0] == "...") &&
            (!groupBy.Contains("alertname") || !groupBy.Contains("grafana_folder")))
        {
            throw new GrafanaException(400, "invalid alert rule\ngroup by override must contain two required labels: 'alertname' and 'grafana_folder'");
        }

        var problems = new List<string>();
        if (!contactPoints.Any(c => c["name"]!.GetValue<string>() == receiver))
        {
            problems.Add($"receiver '{receiver}' does not exist");
        }

        foreach (var timing in (settings["mute_time_intervals"] as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? ""))
        {
            if (!muteTimings.ContainsKey(timing))
            {
                problems.Add($"mute time interval '{timing}' does not exist");
            }
        }

        if (problems.Count > 0)
        {
            throw new GrafanaException(400, string.Join('\n', ["invalid alert rule", .. problems]));
        }
    }

    private const int TitleConflictOnCreate = 409;
    private const int TitleConflictOnUpdate = 400;

    /// <summary>Grafana's text: errAlertRuleConflictMsg around ErrAlertRuleUniqueConstraintViolation's message.</summary>
    internal static string TitleConflictMessage(string uid, string title, string folderUid) =>
        $"conflicting alert rule found [rule_uid: '{uid}', title: '{title}', namespace_uid: '{folderUid}']: " +
        "a conflicting alert rule is found: rule title under the same organisation and folder should be unique";

    private static GrafanaException TitleConflict(int status, string uid, string title, string folderUid) =>
        new(status, TitleConflictMessage(uid, title, folderUid));

    // Grafana's validation.CanUpdateProvenanceInRuleGroup.
    private static bool CanUpdateInGroup(string stored, string provenance) =>
        stored == provenance || stored.Length == 0 || (stored == "api" && provenance.Length == 0);

    private static void EnsureSingleRuleProvenance(JsonObject stored, string provenance)
    {
        var current = stored["provenance"]!.GetValue<string>();
        if (current != provenance && current.Length > 0)
        {
            throw new GrafanaException(500, $"cannot change provenance from '{current}' to '{provenance}'");
        }
    }

    private static GrafanaGroupKey KeyOf(JsonObject rule) =>
        new(rule["folderUID"]!.GetValue<string>(), rule["ruleGroup"]!.GetValue<string>());

    private bool RemoveRuleLocked(string uid)
    {
        if (!rules.Remove(uid, out var rule))
        {
            return false;
        }

        RemoveFromGroupLocked(KeyOf(rule), uid);
        return true;
    }

    private void RemoveFromGroupLocked(GrafanaGroupKey key, string uid)
    {
        if (groups.TryGetValue(key, out var group) && group.Uids.Remove(uid) && group.Uids.Count == 0)
        {
            groups.Remove(key);
        }
    }

    private bool RemoveGroupLocked(GrafanaGroupKey key)
    {
        if (!groups.Remove(key, out var group))
        {
            return false;
        }

        foreach (var uid in group.Uids)
        {
            rules.Remove(uid);
        }

        return true;
    }

    private sealed class RuleGroup(long intervalSeconds)
    {
        public long IntervalSeconds { get; set; } = intervalSeconds;

        public List<string> Uids { get; } = [];
    }
}

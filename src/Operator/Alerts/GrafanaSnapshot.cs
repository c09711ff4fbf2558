using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts;

/// <summary>
/// What one Grafana holds that AppAlerts care about — folders and every provisioned rule, grouped — fetched with two
/// requests (<c>GET /api/folders</c>, <c>GET /api/v1/provisioning/alert-rules</c>) and then kept current by the
/// operator's own writes (a group read back after its PUT replaces the group here). Reconciles of unchanged AppAlerts
/// compare against it and send nothing. Thread-safe.
/// </summary>
public sealed class GrafanaSnapshot
{
    private readonly Lock gate = new();
    private readonly HashSet<string> folders;
    private readonly Dictionary<(string Folder, string Group), ObservedRuleGroup> groups = [];
    private readonly Dictionary<string, (string Folder, string Group)> ruleLocations = new(StringComparer.Ordinal);

    /// <summary>Builds the snapshot from the two listings.</summary>
    public GrafanaSnapshot(IEnumerable<GrafanaFolder> folders, IEnumerable<ProvisionedAlertRule> rules, DateTimeOffset fetchedAt)
    {
        ArgumentNullException.ThrowIfNull(folders);
        ArgumentNullException.ThrowIfNull(rules);
        this.folders = folders.Select(f => f.Uid).ToHashSet(StringComparer.Ordinal);
        foreach (var group in rules.Where(r => r.Uid is not null).GroupBy(r => (r.FolderUid, r.RuleGroup)))
        {
            // The listing has no intervals: unknown until the operator reads the group back after a write.
            SetGroupLocked(group.Key, ObservedRuleGroup.Of(null, group));
        }

        FetchedAt = fetchedAt;
    }

    /// <summary>When the listings were fetched.</summary>
    public DateTimeOffset FetchedAt { get; }

    /// <summary>Number of groups.</summary>
    public int GroupCount
    {
        get
        {
            lock (gate)
            {
                return groups.Count;
            }
        }
    }

    /// <summary>Whether the folder exists.</summary>
    public bool HasFolder(string uid)
    {
        lock (gate)
        {
            return folders.Contains(uid);
        }
    }

    /// <summary>Records a folder the operator made (or found).</summary>
    public void AddFolder(string uid)
    {
        lock (gate)
        {
            folders.Add(uid);
        }
    }

    /// <summary>Records a folder the operator deleted.</summary>
    public void RemoveFolder(string uid)
    {
        lock (gate)
        {
            folders.Remove(uid);
        }
    }

    /// <summary>The group, or null when Grafana has no rules in it.</summary>
    public ObservedRuleGroup? Group(string folderUid, string group)
    {
        lock (gate)
        {
            return groups.GetValueOrDefault((folderUid, group));
        }
    }

    /// <summary>Whether some rule (in any group) has <paramref name="uid"/>.</summary>
    public bool RuleExists(string uid)
    {
        lock (gate)
        {
            return ruleLocations.ContainsKey(uid);
        }
    }

    /// <summary>Names of the groups in a folder.</summary>
    public IReadOnlyList<string> GroupsIn(string folderUid)
    {
        lock (gate)
        {
            return [.. groups.Keys.Where(k => k.Folder == folderUid).Select(k => k.Group)];
        }
    }

    /// <summary>Records rules the operator created one by one (they land in their group).</summary>
    public void AddRules(IEnumerable<ProvisionedAlertRule> created)
    {
        ArgumentNullException.ThrowIfNull(created);
        lock (gate)
        {
            foreach (var rule in created.Where(r => r.Uid is not null))
            {
                var key = (rule.FolderUid, rule.RuleGroup);
                var current = groups.GetValueOrDefault(key);
                var others = (current?.Rules ?? []).Where(r => r.Uid != rule.Uid);
                SetGroupLocked(key, new ObservedRuleGroup(current?.IntervalSeconds, [.. others, ObservedRule.Of(rule)]));
            }
        }
    }

    /// <summary>Replaces a group with what Grafana returned for it (null or no rules: the group is gone).</summary>
    public void SetGroup(string folderUid, string group, ObservedRuleGroup? stored)
    {
        lock (gate)
        {
            SetGroupLocked((folderUid, group), stored is null || stored.Rules.Count == 0 ? null : stored);
        }
    }

    private void SetGroupLocked((string Folder, string Group) key, ObservedRuleGroup? group)
    {
        if (groups.Remove(key, out var old))
        {
            foreach (var rule in old.Rules)
            {
                if (ruleLocations.TryGetValue(rule.Uid!, out var at) && at == key)
                {
                    ruleLocations.Remove(rule.Uid!);
                }
            }
        }

        if (group is null)
        {
            return;
        }

        // A PUT can move rules here from another group: they are no longer there.
        foreach (var rule in group.Rules)
        {
            if (ruleLocations.TryGetValue(rule.Uid!, out var elsewhere) && elsewhere != key && groups.TryGetValue(elsewhere, out var other))
            {
                var rest = other.Rules.Where(r => r.Uid != rule.Uid).ToList();
                if (rest.Count == 0)
                {
                    groups.Remove(elsewhere);
                }
                else
                {
                    groups[elsewhere] = other with { Rules = rest };
                }
            }

            ruleLocations[rule.Uid!] = key;
        }

        groups[key] = group;
    }
}

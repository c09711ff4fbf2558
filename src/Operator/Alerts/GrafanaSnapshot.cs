using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts;

/// <summary>
/// What one Grafana holds that AppAlerts care about — folders and every provisioned rule, grouped — fetched with two
/// requests (<c>GET /api/folders</c>, <c>GET /api/v1/provisioning/alert-rules</c>) and then kept current by the
/// operator's own writes (a group read back after its PUT replaces the group here). Reconciles of unchanged AppAlerts
/// compare against it and send nothing. Each group is kept packed (<see cref="PackedRuleGroup"/>) and read back into
/// objects when asked for. Thread-safe.
/// </summary>
public sealed class GrafanaSnapshot
{
    private readonly Lock gate = new();
    private readonly HashSet<string> folders;
    private readonly Dictionary<(string Folder, string Group), PackedRuleGroup> groups = [];
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
            SetGroupLocked(group.Key, PackedRuleGroup.Pack(null, [.. group]));
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

    /// <summary>The group, or null when Grafana has no rules in it (read back into new objects each call).</summary>
    public ObservedRuleGroup? Group(string folderUid, string group)
    {
        PackedRuleGroup? packed;
        lock (gate)
        {
            packed = groups.GetValueOrDefault((folderUid, group));
        }

        return packed?.Unpack();
    }

    /// <summary>The deflated size of every group kept, in bytes (for tests).</summary>
    public long PackedBytes
    {
        get
        {
            lock (gate)
            {
                return groups.Values.Sum(g => (long)g.PackedLength);
            }
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

    /// <summary>Replaces a group with what Grafana returned for it (no rules: the group is gone).</summary>
    public void SetGroup(string folderUid, string group, long? intervalSeconds, IReadOnlyList<ProvisionedAlertRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var kept = rules.Where(r => r.Uid is not null).ToList();
        // Packed outside the lock: every reconcile of the Grafana reads through it.
        var packed = kept.Count == 0 ? null : PackedRuleGroup.Pack(intervalSeconds, kept);
        lock (gate)
        {
            SetGroupLocked((folderUid, group), packed);
        }
    }

    /// <summary>Records that a group is gone.</summary>
    public void RemoveGroup(string folderUid, string group)
    {
        lock (gate)
        {
            SetGroupLocked((folderUid, group), null);
        }
    }

    private void SetGroupLocked((string Folder, string Group) key, PackedRuleGroup? group)
    {
        if (groups.Remove(key, out var old))
        {
            foreach (var uid in old.RuleUids)
            {
                if (ruleLocations.TryGetValue(uid, out var at) && at == key)
                {
                    ruleLocations.Remove(uid);
                }
            }
        }

        if (group is null)
        {
            return;
        }

        // A PUT can move rules here from other groups: they are no longer there. Made only when one moved: almost
        // every write moves none.
        Dictionary<(string Folder, string Group), HashSet<string>>? movedFrom = null;
        foreach (var uid in group.RuleUids)
        {
            if (ruleLocations.TryGetValue(uid, out var elsewhere) && elsewhere != key)
            {
                movedFrom ??= [];
                if (!movedFrom.TryGetValue(elsewhere, out var uids))
                {
                    movedFrom[elsewhere] = uids = new HashSet<string>(StringComparer.Ordinal);
                }

                uids.Add(uid);
            }

            ruleLocations[uid] = key;
        }

        if (movedFrom is not null)
        {
            foreach (var (elsewhere, uids) in movedFrom)
            {
                if (groups.TryGetValue(elsewhere, out var other))
                {
                    if (other.Without(uids) is { } rest)
                    {
                        groups[elsewhere] = rest;
                    }
                    else
                    {
                        groups.Remove(elsewhere);
                    }
                }
            }
        }

        groups[key] = group;
    }
}

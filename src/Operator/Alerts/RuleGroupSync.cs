namespace MetricsOperator.Alerts;

/// <summary>What <see cref="RuleGroupSync.ApplyAsync"/> did and found.</summary>
/// <param name="Writes">Requests that changed Grafana (0 when it already held the group).</param>
/// <param name="RulesInSync">Per rule name: whether Grafana holds it as desired after the sync.</param>
/// <param name="Differences">What still differs after the sync (empty when in sync).</param>
public sealed record RuleGroupSyncResult(int Writes, IReadOnlyDictionary<string, bool> RulesInSync, IReadOnlyList<string> Differences);

/// <summary>
/// Brings one rule group in a stack's Grafana to the desired state: the folder when missing, then — only when the
/// group differs from the snapshot — every new rule POSTed (Grafana before 11.6 answers 500 to a group PUT carrying an
/// unknown UID), ONE group PUT, and the group read back (the PUT only echoes the request) into the snapshot.
/// A group the AppAlert had elsewhere before (its app changed) is deleted afterwards.
/// </summary>
public static class RuleGroupSync
{
    /// <summary>Syncs <paramref name="desired"/>; <paramref name="previous"/> is where status says the group was.</summary>
    public static async Task<RuleGroupSyncResult> ApplyAsync(StackGrafana grafana, DesiredRuleGroup desired, (string Folder, string Group)? previous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grafana);
        ArgumentNullException.ThrowIfNull(desired);
        var snapshot = await grafana.SnapshotAsync(cancellationToken);
        var changes = RuleGroupDiff.Compare(desired, snapshot.Group(desired.FolderUid, desired.Group), snapshot.RuleExists);
        var writes = 0;
        var result = new RuleGroupSyncResult(0, changes.RulesInSync, []);
        if (!changes.IsEmpty || !snapshot.HasFolder(desired.FolderUid))
        {
            var client = grafana.Client;
            var folderLock = grafana.FolderLock(desired.FolderUid);
            await folderLock.WaitAsync(cancellationToken);
            try
            {
                if (!snapshot.HasFolder(desired.FolderUid))
                {
                    // 409: someone made it meanwhile, which is as good.
                    await client.CreateFolderAsync(desired.FolderUid, desired.FolderTitle, cancellationToken);
                    snapshot.AddFolder(desired.FolderUid);
                    writes++;
                }

                if (!changes.IsEmpty)
                {
                    foreach (var rule in changes.ToCreate)
                    {
                        // 409 (the snapshot missed it): it exists, which is all the PUT needs.
                        await client.CreateAlertRuleAsync(rule, desired.Editable, cancellationToken);
                        writes++;
                    }

                    await client.PutRuleGroupAsync(desired.FolderUid, desired.Group, desired.ToGrafana(), desired.Editable, cancellationToken);
                    writes++;
                    var stored = await client.GetRuleGroupAsync(desired.FolderUid, desired.Group, cancellationToken);
                    var observed = stored is null ? null : ObservedRuleGroup.Of(stored.Interval, stored.Rules);
                    snapshot.SetGroup(desired.FolderUid, desired.Group, stored?.Interval, stored?.Rules ?? []);
                    var after = RuleGroupDiff.Compare(desired, observed, snapshot.RuleExists);
                    result = new RuleGroupSyncResult(writes, after.RulesInSync, after.Differences);
                }
                else
                {
                    result = result with { Writes = writes };
                }
            }
            finally
            {
                folderLock.Release();
            }
        }

        if (previous is { } old && old != (desired.FolderUid, desired.Group))
        {
            if (await grafana.Client.DeleteRuleGroupAsync(old.Folder, old.Group, cancellationToken))
            {
                result = result with { Writes = result.Writes + 1 };
            }

            snapshot.RemoveGroup(old.Folder, old.Group);
            await DeleteFolderIfEmptyAsync(grafana, old.Folder, cancellationToken);
        }

        return result;
    }

    /// <summary>Deletes the AppAlert's groups (the current and the one status names) and then their folders if empty.</summary>
    public static async Task RemoveAsync(StackGrafana grafana, IEnumerable<(string Folder, string Group)> locations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grafana);
        ArgumentNullException.ThrowIfNull(locations);
        var snapshot = await grafana.SnapshotAsync(cancellationToken);
        foreach (var (folder, group) in locations.Distinct())
        {
            var folderLock = grafana.FolderLock(folder);
            await folderLock.WaitAsync(cancellationToken);
            try
            {
                await grafana.Client.DeleteRuleGroupAsync(folder, group, cancellationToken);
                snapshot.RemoveGroup(folder, group);
            }
            finally
            {
                folderLock.Release();
            }

            await DeleteFolderIfEmptyAsync(grafana, folder, cancellationToken);
        }
    }

    /// <summary>
    /// Deletes a folder the operator made once no rule group is left in it — but never one holding dashboards (deleting
    /// a folder deletes its dashboards), and never one Grafana says still holds rules (the snapshot may be behind).
    /// </summary>
    private static async Task DeleteFolderIfEmptyAsync(StackGrafana grafana, string folderUid, CancellationToken cancellationToken)
    {
        if (!folderUid.StartsWith(AlertNames.FolderPrefix, StringComparison.Ordinal))
        {
            return;
        }

        var folderLock = grafana.FolderLock(folderUid);
        await folderLock.WaitAsync(cancellationToken);
        try
        {
            var snapshot = await grafana.SnapshotAsync(cancellationToken);
            if (!snapshot.HasFolder(folderUid) || snapshot.GroupsIn(folderUid).Count > 0)
            {
                return;
            }

            if ((await grafana.Client.DashboardsInFolderAsync(folderUid, 1, cancellationToken)).Count > 0)
            {
                return;
            }

            if (await grafana.Client.DeleteFolderIfNoRulesAsync(folderUid, cancellationToken))
            {
                snapshot.RemoveFolder(folderUid);
            }
            else
            {
                // Grafana still holds rules there that the snapshot does not know: look again.
                grafana.Invalidate();
            }
        }
        finally
        {
            folderLock.Release();
        }
    }
}

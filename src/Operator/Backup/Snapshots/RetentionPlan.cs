namespace MetricsOperator.Backup.Snapshots;

/// <summary>
/// Which snapshots to delete: beyond the newest <c>keep</c>, and (when <c>maxAgeDays</c> is set) older than that many
/// days — but never the newest one, so a stack that stopped changing still has its last good snapshot. Only names
/// that parse as ours are considered; anything else under the prefix is left alone.
/// </summary>
public static class RetentionPlan
{
    /// <summary>The snapshot names to delete, oldest first.</summary>
    public static IReadOnlyList<string> ToDelete(IEnumerable<string> snapshots, int keep, int? maxAgeDays, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        var ours = snapshots
            .Select(name => (Name: name, Time: SnapshotNames.TimeOf(name)))
            .Where(s => s.Time is not null)
            .DistinctBy(s => s.Name)
            .OrderByDescending(s => s.Time)
            .ToList();
        var cutoff = maxAgeDays is { } days ? now - TimeSpan.FromDays(days) : (DateTimeOffset?)null;
        return ours
            .Select((s, index) => (s.Name, s.Time, index))
            .Where(s => s.index > 0 && (s.index >= keep || (cutoff is not null && s.Time < cutoff)))
            .Select(s => s.Name)
            .Reverse()
            .ToList();
    }
}

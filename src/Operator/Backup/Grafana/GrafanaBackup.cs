using MetricsOperator.Backup.Snapshots;

namespace MetricsOperator.Backup.Grafana;

/// <summary>What one Grafana backup run did.</summary>
/// <param name="Snapshot">The newest snapshot after the run (the one written, or the unchanged latest).</param>
/// <param name="Written">True when a new snapshot was written; false when nothing had changed.</param>
/// <param name="Bytes">Bytes written (0 when unchanged).</param>
/// <param name="Deleted">Snapshots retention deleted.</param>
public sealed record BackupRunResult(string Snapshot, bool Written, long Bytes, IReadOnlyList<string> Deleted)
{
    /// <summary>
    /// When the run started, if not when the scheduler asked for it: a backup Job adopted or read after an operator
    /// restart ran earlier. Null: it started when asked.
    /// </summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the run finished, if earlier than when its outcome was read (see <see cref="StartedAt"/>).</summary>
    public DateTimeOffset? FinishedAt { get; init; }
}

/// <summary>
/// One Grafana configuration backup: export, compare the content hash with the newest snapshot's, and only when it
/// differs write every file, then the manifest (which makes the snapshot complete), then apply retention.
/// </summary>
public sealed class GrafanaBackup(GrafanaConfigApi api, SnapshotStore store, TimeProvider? time = null)
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <summary>Runs once.</summary>
    public async Task<BackupRunResult> RunAsync(BackupRunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var export = await new GrafanaExporter(api).ExportAsync(options.SecretRefs, cancellationToken, options.Environment).ConfigureAwait(false);
        var bytes = export.Files.ToDictionary(f => f.Key, f => CanonicalJson.Serialize(f.Value), StringComparer.Ordinal);
        var entries = bytes.Select(f => new ManifestFile(f.Key, CanonicalJson.Sha256(f.Value), f.Value.Length)).ToList();
        var contentHash = SnapshotManifest.ContentHashOf(entries);

        var latest = await store.LatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest is { } last && last.Manifest.ContentHash == contentHash)
        {
            return new BackupRunResult(last.Name, Written: false, 0, []);
        }

        var now = clock.GetUtcNow();
        var name = SnapshotNames.At(now);
        if (latest is { } previous && string.CompareOrdinal(name, previous.Name) <= 0)
        {
            // Two changes within one second: the name must still sort after the newest.
            name = SnapshotNames.At(SnapshotNames.TimeOf(previous.Name)!.Value.AddSeconds(1));
        }

        long total = 0;
        foreach (var (path, content) in bytes)
        {
            total += (await store.WriteFileAsync(name, path, new MemoryStream(content, writable: false), cancellationToken).ConfigureAwait(false)).Size;
        }

        var manifest = new SnapshotManifest
        {
            Kind = SnapshotNames.Grafana,
            CreatedAt = now,
            SourceVersion = export.Version,
            Stack = options.Stack,
            ContentHash = contentHash,
            Files = entries,
            NotIncluded = export.NotIncluded.Count == 0 ? null : export.NotIncluded,
            Environment = export.Environment,
        };
        await store.WriteManifestAsync(name, manifest, cancellationToken).ConfigureAwait(false);
        var deleted = await store.ApplyRetentionAsync(options.Keep, options.MaxAgeDays, now, cancellationToken).ConfigureAwait(false);
        return new BackupRunResult(name, Written: true, total, deleted);
    }
}

/// <summary>Settings of one backup run, from the MetricsStack's spec.</summary>
/// <param name="Keep">Snapshots to keep.</param>
/// <param name="MaxAgeDays">Delete snapshots older than this (never the newest); null for no age limit.</param>
/// <param name="Stack">namespace/name of the stack, recorded in the manifest.</param>
/// <param name="SecretRefs">Contact point name (as Grafana has it) → the Secret the MetricsStack takes its secret from.</param>
/// <param name="Environment">Back up only what this environment owns in a shared Grafana (<see cref="EnvironmentScope"/>); null: everything.</param>
public sealed record BackupRunOptions(int Keep, int? MaxAgeDays = null, string? Stack = null, IReadOnlyDictionary<string, string>? SecretRefs = null, string? Environment = null);

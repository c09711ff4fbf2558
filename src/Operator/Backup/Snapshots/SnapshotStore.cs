using MetricsOperator.Backup.Destinations;

namespace MetricsOperator.Backup.Snapshots;

/// <summary>A snapshot found in a destination.</summary>
/// <param name="Name">Its name (a UTC time).</param>
/// <param name="Complete">True when its manifest was written (it finished).</param>
/// <param name="Keys">Every key of it.</param>
public sealed record StoredSnapshot(string Name, bool Complete, IReadOnlyList<string> Keys);

/// <summary>A snapshot failed verification: the manifest is missing or unreadable, or a file does not match its hash.</summary>
public sealed class CorruptSnapshotException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CorruptSnapshotException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public CorruptSnapshotException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CorruptSnapshotException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>Snapshots of one kind in a destination: listing, writing file by file then the manifest, verifying, deleting.</summary>
public sealed class SnapshotStore(IBackupDestination destination, string kind)
{
    /// <summary>The destination.</summary>
    public IBackupDestination Destination { get; } = destination ?? throw new ArgumentNullException(nameof(destination));

    /// <summary>The kind (<see cref="SnapshotNames.Grafana"/> or <see cref="SnapshotNames.InfluxDb"/>).</summary>
    public string Kind { get; } = kind;

    /// <summary>Every snapshot of this kind (names that are ours only), oldest first.</summary>
    public async Task<IReadOnlyList<StoredSnapshot>> ListAsync(CancellationToken cancellationToken)
    {
        var objects = await Destination.ListAsync(SnapshotNames.KindPrefix(Kind), cancellationToken).ConfigureAwait(false);
        return objects
            .Select(o => (o.Key, Parts: o.Key.Split('/', 3)))
            .Where(o => o.Parts.Length == 3 && SnapshotNames.TimeOf(o.Parts[1]) is not null)
            .GroupBy(o => o.Parts[1], StringComparer.Ordinal)
            .Select(g => new StoredSnapshot(g.Key, g.Any(o => o.Parts[2] == SnapshotManifest.FileName), [.. g.Select(o => o.Key)]))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The newest complete snapshot's manifest, or null when there is none (or it cannot be read).</summary>
    public async Task<(string Name, SnapshotManifest Manifest)?> LatestAsync(CancellationToken cancellationToken)
    {
        var latest = (await ListAsync(cancellationToken).ConfigureAwait(false)).LastOrDefault(s => s.Complete);
        if (latest is null)
        {
            return null;
        }

        var manifest = await ReadManifestAsync(latest.Name, cancellationToken).ConfigureAwait(false);
        return manifest is null ? null : (latest.Name, manifest);
    }

    /// <summary>Resolves <c>latest</c> to the newest complete snapshot's name.</summary>
    public async Task<string> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        if (name != "latest")
        {
            return name;
        }

        return (await ListAsync(cancellationToken).ConfigureAwait(false)).LastOrDefault(s => s.Complete)?.Name
            ?? throw new CorruptSnapshotException($"no complete {Kind} snapshot in {Destination.Description}");
    }

    /// <summary>Writes one file (streamed, hashed on the way) and returns its manifest entry.</summary>
    public async Task<ManifestFile> WriteFileAsync(string snapshot, string path, Stream content, CancellationToken cancellationToken)
    {
        using var hashing = new HashingStream(content);
        await Destination.PutAsync(SnapshotNames.Key(Kind, snapshot, path), hashing, cancellationToken).ConfigureAwait(false);
        return new ManifestFile(path, hashing.HexHash(), hashing.BytesRead);
    }

    /// <summary>Writes the manifest: the last write of a snapshot, which makes it complete.</summary>
    public Task WriteManifestAsync(string snapshot, SnapshotManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return Destination.PutAsync(SnapshotNames.Key(Kind, snapshot, SnapshotManifest.FileName), new MemoryStream(manifest.ToBytes()), cancellationToken);
    }

    /// <summary>The manifest of a snapshot, or null when it has none or it is not a manifest.</summary>
    public async Task<SnapshotManifest?> ReadManifestAsync(string snapshot, CancellationToken cancellationToken)
    {
        var stream = await Destination.OpenAsync(SnapshotNames.Key(Kind, snapshot, SnapshotManifest.FileName), cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return SnapshotManifest.Parse(buffer.ToArray());
        }
    }

    /// <summary>
    /// Checks every file of the snapshot against its manifest by streaming it through SHA-256 (nothing is held in
    /// memory), and returns the manifest; throws <see cref="CorruptSnapshotException"/> naming each problem.
    /// </summary>
    public async Task<SnapshotManifest> VerifyAsync(string snapshot, CancellationToken cancellationToken)
    {
        var where = $"{Kind} snapshot {snapshot} in {Destination.Description}";
        var manifest = await ReadManifestAsync(snapshot, cancellationToken).ConfigureAwait(false)
            ?? throw new CorruptSnapshotException($"{where} has no readable {SnapshotManifest.FileName}: it is incomplete or not a snapshot; refusing to restore it");
        if (manifest.Kind != Kind)
        {
            throw new CorruptSnapshotException($"{where} is a {manifest.Kind} snapshot, not {Kind}");
        }

        var prefix = $"{Kind}/{snapshot}/";
        var actual = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        foreach (var stored in await Destination.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var path = stored.Key[prefix.Length..];
            if (path == SnapshotManifest.FileName)
            {
                continue;
            }

            var stream = await Destination.OpenAsync(stored.Key, cancellationToken).ConfigureAwait(false);
            if (stream is null)
            {
                continue;
            }

            using var hashing = new HashingStream(stream);
            await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            actual[path] = (hashing.HexHash(), hashing.BytesRead);
        }

        var problems = ManifestVerification.Problems(manifest, actual);
        return problems.Count == 0
            ? manifest
            : throw new CorruptSnapshotException($"{where} does not match its manifest, refusing to restore it: {string.Join("; ", problems)}");
    }

    /// <summary>Reads one file whole (Grafana's files are small), checking it against <paramref name="expected"/>.</summary>
    public async Task<byte[]> ReadFileAsync(string snapshot, ManifestFile expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var stream = await OpenFileAsync(snapshot, expected.Path, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            var bytes = buffer.ToArray();
            return CanonicalJson.Sha256(bytes) == expected.Sha256
                ? bytes
                : throw new CorruptSnapshotException($"{Kind} snapshot {snapshot}: {expected.Path} changed while it was read");
        }
    }

    /// <summary>Opens one file of a snapshot for streaming.</summary>
    public async Task<Stream> OpenFileAsync(string snapshot, string path, CancellationToken cancellationToken) =>
        await Destination.OpenAsync(SnapshotNames.Key(Kind, snapshot, path), cancellationToken).ConfigureAwait(false)
            ?? throw new CorruptSnapshotException($"{Kind} snapshot {snapshot}: {path} is missing");

    /// <summary>Deletes snapshots: the manifest first, so a half-deleted snapshot reads as incomplete, never as whole.</summary>
    public async Task DeleteAsync(IEnumerable<StoredSnapshot> snapshots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        foreach (var snapshot in snapshots)
        {
            var manifest = SnapshotNames.Key(Kind, snapshot.Name, SnapshotManifest.FileName);
            await Destination.DeleteAsync([manifest], cancellationToken).ConfigureAwait(false);
            await Destination.DeleteAsync([.. snapshot.Keys.Where(k => k != manifest)], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies retention after a successful backup: <see cref="RetentionPlan"/> over the complete snapshots, plus
    /// incomplete ones older than the newest complete one (left by a crash). Returns the names deleted.
    /// </summary>
    public async Task<IReadOnlyList<string>> ApplyRetentionAsync(int keep, int? maxAgeDays, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var all = await ListAsync(cancellationToken).ConfigureAwait(false);
        var complete = all.Where(s => s.Complete).ToList();
        var newest = complete.LastOrDefault()?.Name;
        var doomed = RetentionPlan.ToDelete(complete.Select(s => s.Name), keep, maxAgeDays, now).ToHashSet(StringComparer.Ordinal);
        var delete = all.Where(s => doomed.Contains(s.Name) || (!s.Complete && newest is not null && string.CompareOrdinal(s.Name, newest) < 0)).ToList();
        await DeleteAsync(delete, cancellationToken).ConfigureAwait(false);
        return [.. delete.Select(s => s.Name)];
    }
}

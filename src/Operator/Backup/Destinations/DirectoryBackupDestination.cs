namespace MetricsOperator.Backup.Destinations;

/// <summary>
/// A folder as a destination: a mounted PersistentVolumeClaim in a backup Job, or a local folder for the CLI and the
/// tests. Files are written to a temporary name and renamed, so a reader never sees half a file.
/// </summary>
public sealed class DirectoryBackupDestination : IBackupDestination
{
    private readonly string root;

    /// <summary>Uses <paramref name="root"/> (created when missing).</summary>
    public DirectoryBackupDestination(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        this.root = Path.GetFullPath(root);
    }

    /// <inheritdoc/>
    public string Description => $"folder {root}";

    /// <inheritdoc/>
    public async Task<long> PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(key);
        var temporary = path + ".partial";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            long written;
            var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                written = file.Length;
            }

            File.Move(temporary, path, overwrite: true);
            return written;
        }
        catch (IOException e)
        {
            TryDelete(temporary);
            throw new BackupDestinationException($"cannot write {key} to {Description}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            TryDelete(temporary);
            throw new BackupDestinationException($"cannot write {key} to {Description}: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public Task<Stream?> OpenAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        return Task.FromResult<Stream?>(File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true) : null);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<StoredObject>> ListAsync(string keyPrefix, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(root))
        {
            return Task.FromResult<IReadOnlyList<StoredObject>>([]);
        }

        var found = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".partial", StringComparison.Ordinal))
            .Select(f => new StoredObject(Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'), new FileInfo(f).Length))
            .Where(o => o.Key.StartsWith(keyPrefix, StringComparison.Ordinal))
            .OrderBy(o => o.Key, StringComparer.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<StoredObject>>(found);
    }

    /// <inheritdoc/>
    public Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            TryDelete(PathOf(key));
        }

        // Remove the snapshot folders left empty, deepest first.
        foreach (var folder in keys.Select(k => Path.GetDirectoryName(PathOf(k))!).Distinct().OrderByDescending(f => f.Length))
        {
            for (var dir = folder; dir.Length > root.Length && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any(); dir = Path.GetDirectoryName(dir)!)
            {
                Directory.Delete(dir);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    // Keys come from our own layout, but a key must never leave the root (e.g. "../" in a snapshot name given on the CLI).
    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(root, key));
        return path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new BackupDestinationException($"key {key} leaves {Description}");
    }
}

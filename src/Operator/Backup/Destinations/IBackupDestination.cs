namespace MetricsOperator.Backup.Destinations;

/// <summary>An object a destination holds, by its key relative to the destination's prefix.</summary>
/// <param name="Key">Key below the prefix, with '/' separators, e.g. <c>grafana/20250101T030000Z/manifest.json</c>.</param>
/// <param name="Size">Size in bytes.</param>
public sealed record StoredObject(string Key, long Size);

/// <summary>
/// Where snapshots go: an S3-compatible bucket or a folder (a mounted PVC, or a local folder in tests and the CLI).
/// Keys are relative to the destination's own prefix, so nothing outside it is ever listed, read or deleted.
/// Implementations stream: <see cref="PutAsync"/> reads its source once, in bounded chunks, and never needs its length.
/// </summary>
public interface IBackupDestination : IDisposable
{
    /// <summary>Where this is, for messages (bucket and prefix, or folder); never a credential.</summary>
    string Description { get; }

    /// <summary>Writes <paramref name="content"/> (read to its end, not seeked) to <paramref name="key"/>; returns the bytes written.</summary>
    /// <exception cref="BackupDestinationException">The destination refused or could not be reached.</exception>
    Task<long> PutAsync(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens <paramref name="key"/> for reading, or null when it does not exist.</summary>
    Task<Stream?> OpenAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every object whose key starts with <paramref name="keyPrefix"/>.</summary>
    Task<IReadOnlyList<StoredObject>> ListAsync(string keyPrefix, CancellationToken cancellationToken);

    /// <summary>Deletes the objects (missing ones are not an error).</summary>
    Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);
}

/// <summary>A destination failed: unreachable, refused the credentials, no such bucket. The message never holds a secret.</summary>
public sealed class BackupDestinationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BackupDestinationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public BackupDestinationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public BackupDestinationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Cache;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Runtime.Client;

/// <summary>
/// The objects this process last wrote through <see cref="ObjectClient"/> (status patches, finalizer changes), as the
/// API server returned them, kept until the informer cache holds a version at least as new. The cache lags this
/// process's own writes: a reconcile that starts before the watch event of the last reconcile's status write has
/// arrived reads the status from before that write. Taken for the truth, that older status made a reconcile write the
/// same status again, record a condition's Event a second time, and forget what the status remembers for the next
/// reconcile (the Grafana mute timings a stack owns, the namespaces holding a copy of its token), leaving them behind.
/// Reads through <see cref="Newest{T}"/> see this process's own writes.
/// </summary>
/// <remarks>
/// Versions are compared as numbers: the API server's resourceVersion is etcd's revision, which only grows (the same
/// reading as <see cref="ObjectClient"/>'s drift check). A write by anyone else after ours reaches the cache with a
/// larger one, so the cache is the truth again from then on. An entry goes as soon as the cache shows its version or a
/// later one (the informer's events) or the object is gone, so at most one object per live object waits here, and only
/// while its watch event is in flight. Thread-safe.
/// </remarks>
public sealed class OwnWrites
{
    private readonly ConcurrentDictionary<(Type Kind, ObjectKey Key), Written> written = new();

    /// <summary>How many written objects the cache does not show yet.</summary>
    public int Pending => written.Count;

    /// <summary>Records <paramref name="returned"/>, the object as the API server returned it from a write by this process.</summary>
    public void Record<T>(T? returned)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (returned?.Metadata is not { } meta || Version(meta) is not { } version)
        {
            return;
        }

        // A copy (the caller goes on using and changing the object it got back), as the cache would keep it.
        var entry = new Written(version, Informer<T>.WithoutManagedFields(ObjectCopy.Clone(returned)));
        written.AddOrUpdate((typeof(T), ObjectKey.Of(returned)), entry, (_, older) => older.Version >= version ? older : entry);
    }

    /// <summary>
    /// The newer of <paramref name="cached"/> (the cache's copy of <paramref name="key"/>) and this process's last write
    /// of it; null when the cache no longer has the object (its deletion is newer than any write). Do not mutate it.
    /// </summary>
    public T? Newest<T>(ObjectKey key, T? cached)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (!written.TryGetValue((typeof(T), key), out var entry))
        {
            return cached;
        }

        if (cached is null || Version(cached.Metadata) is not { } version || version >= entry.Version)
        {
            written.TryRemove(new KeyValuePair<(Type, ObjectKey), Written>((typeof(T), key), entry));
            return cached;
        }

        return (T)entry.Object;
    }

    /// <summary>
    /// Takes in an informer event: the write of its object is forgotten when the cache now holds a version at least as
    /// new, or the object is gone.
    /// </summary>
    public void Seen<T>(InformerEvent<T> e)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (e.Type == InformerEventType.Deleted && e.Entity?.Metadata is { } meta)
        {
            written.TryRemove((typeof(T), ObjectKey.Of(meta)), out _);
        }
        else if (e.Entity is not null)
        {
            CaughtUp(e.Entity);
        }
    }

    /// <summary>Forgets the write of <paramref name="cached"/>'s object when <paramref name="cached"/> is at least as new.</summary>
    public void CaughtUp<T>(T cached)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (cached?.Metadata is not { } meta)
        {
            return;
        }

        var key = (typeof(T), ObjectKey.Of(meta));
        if (written.TryGetValue(key, out var entry) && (Version(meta) is not { } version || version >= entry.Version))
        {
            written.TryRemove(new KeyValuePair<(Type, ObjectKey), Written>(key, entry));
        }
    }

    private static long? Version(V1ObjectMeta? meta) =>
        long.TryParse(meta?.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;

    private readonly record struct Written(long Version, object Object);
}

using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Runtime.Cache;

/// <summary>What readers of an informer's cache may do: look up, list and query indexes, with no API call.</summary>
/// <remarks>The objects are the cache's own: never mutate them (copy first, e.g. with <see cref="ObjectCopy.Clone{T}"/>).</remarks>
public interface IReadOnlyStore<T>
{
    /// <summary>How many objects the cache holds.</summary>
    int Count { get; }

    /// <summary>The object with <paramref name="key"/>, or null.</summary>
    T? Get(ObjectKey key);

    /// <summary>All objects, or those in <paramref name="namespace"/>.</summary>
    IReadOnlyList<T> List(string? @namespace = null);

    /// <summary>The objects whose index <paramref name="indexName"/> yields <paramref name="value"/>.</summary>
    IReadOnlyList<T> ByIndex(string indexName, string value);
}

/// <summary>
/// The indexer behind an informer: objects by namespace/name, plus secondary indexes. The built-in
/// <see cref="ControllerUidIndex"/> maps an owner's UID to the objects it controls (for pruning).
/// </summary>
public sealed class Store<T> : IReadOnlyStore<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Index of objects by the UID of their controller ownerReference.</summary>
    public const string ControllerUidIndex = "controller-uid";

    private readonly object gate = new();
    private readonly Dictionary<ObjectKey, T> items = [];
    private readonly Dictionary<string, Func<T, IEnumerable<string>>> indexers = new(StringComparer.Ordinal)
    {
        [ControllerUidIndex] = static o => o.Metadata?.OwnerReferences?.Where(r => r.Controller == true).Select(r => r.Uid) ?? [],
    };

    private readonly Dictionary<string, Dictionary<string, HashSet<ObjectKey>>> indices = new(StringComparer.Ordinal)
    {
        [ControllerUidIndex] = new(StringComparer.Ordinal),
    };

    /// <inheritdoc/>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return items.Count;
            }
        }
    }

    /// <summary>Adds an index; call before the informer starts.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> indexer)
    {
        lock (gate)
        {
            indexers.Add(name, indexer);
            var index = new Dictionary<string, HashSet<ObjectKey>>(StringComparer.Ordinal);
            indices.Add(name, index);
            foreach (var (key, item) in items)
            {
                foreach (var value in indexer(item))
                {
                    Bucket(index, value).Add(key);
                }
            }
        }
    }

    /// <inheritdoc/>
    public T? Get(ObjectKey key)
    {
        lock (gate)
        {
            return items.TryGetValue(key, out var item) ? item : default;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<T> List(string? @namespace = null)
    {
        lock (gate)
        {
            return @namespace is null
                ? [.. items.Values]
                : [.. items.Where(i => i.Key.Namespace == @namespace).Select(i => i.Value)];
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        lock (gate)
        {
            if (!indices.TryGetValue(indexName, out var index))
            {
                throw new ArgumentException($"No index named '{indexName}'.", nameof(indexName));
            }

            return index.TryGetValue(value, out var keys) ? [.. keys.Select(k => items[k])] : [];
        }
    }

    /// <summary>Adds or replaces an object; returns the one it replaced.</summary>
    internal T? Upsert(T item)
    {
        var key = ObjectKey.Of(item);
        lock (gate)
        {
            items.TryGetValue(key, out var old);
            if (old is not null)
            {
                Unindex(key, old);
            }

            items[key] = item;
            Index(key, item);
            return old;
        }
    }

    /// <summary>Removes an object; returns it, or null when it was not there.</summary>
    internal T? Remove(ObjectKey key)
    {
        lock (gate)
        {
            if (!items.Remove(key, out var old))
            {
                return default;
            }

            Unindex(key, old);
            return old;
        }
    }

    /// <summary>The keys not in <paramref name="keep"/>.</summary>
    internal List<ObjectKey> KeysNotIn(HashSet<ObjectKey> keep)
    {
        lock (gate)
        {
            return [.. items.Keys.Where(k => !keep.Contains(k))];
        }
    }

    private static HashSet<ObjectKey> Bucket(Dictionary<string, HashSet<ObjectKey>> index, string value)
    {
        if (!index.TryGetValue(value, out var bucket))
        {
            bucket = [];
            index[value] = bucket;
        }

        return bucket;
    }

    private void Index(ObjectKey key, T item)
    {
        foreach (var (name, indexer) in indexers)
        {
            foreach (var value in indexer(item))
            {
                Bucket(indices[name], value).Add(key);
            }
        }
    }

    private void Unindex(ObjectKey key, T item)
    {
        foreach (var (name, indexer) in indexers)
        {
            var index = indices[name];
            foreach (var value in indexer(item))
            {
                if (index.TryGetValue(value, out var bucket) && bucket.Remove(key) && bucket.Count == 0)
                {
                    index.Remove(value);
                }
            }
        }
    }
}

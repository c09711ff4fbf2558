using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// A string map of a few entries kept as one array of keys and values, found by a linear search: what JSON reads a
/// label or annotation map into. A long-lived cache holds thousands of them with one to three entries each, and a
/// <see cref="Dictionary{TKey, TValue}"/> of that size costs about 200 bytes (its object, a bucket array and an entry
/// array sized to a prime) against 60–90 here (docs/performance.md, fifteenth pass). Insertion order is kept, as a
/// dictionary with no removals keeps it, so an object read and written again writes its maps in the order read.
/// </summary>
/// <remarks>
/// Every member of both dictionary interfaces works, writes included (code may add a label to an object it read), and
/// lookups compare keys ordinally, as a <c>Dictionary&lt;string, string&gt;</c> does. The JSON converters read a map of
/// more than <see cref="MaxEntries"/> entries into a <see cref="Dictionary{TKey, TValue}"/> instead, so a large one
/// (a ConfigMap's data) keeps constant-time lookups; this map itself never switches.
/// </remarks>
public sealed class CompactStringDictionary : IDictionary<string, string>, IReadOnlyDictionary<string, string>
{
    /// <summary>The most entries JSON reads into this map; a larger map is read into a dictionary.</summary>
    public const int MaxEntries = 8;

    // Key i at 2i, its value at 2i + 1. Values may be null, as a Dictionary<string, string?> read from JSON allows.
    private string?[] items;
    private int count;

    // Bumped by every change of the keys, so an enumeration notices a change made under it (as a List's does).
    private int version;

    /// <summary>An empty map.</summary>
    public CompactStringDictionary()
    {
        items = [];
    }

    /// <inheritdoc cref="ICollection{T}.Count"/>
    public int Count => count;

    /// <inheritdoc/>
    public bool IsReadOnly => false;

    /// <inheritdoc cref="IDictionary{TKey, TValue}.Keys"/>
    public ICollection<string> Keys => [.. Entries().Select(e => e.Key)];

    /// <inheritdoc cref="IDictionary{TKey, TValue}.Values"/>
    public ICollection<string> Values => [.. Entries().Select(e => e.Value)];

    IEnumerable<string> IReadOnlyDictionary<string, string>.Keys => Keys;

    IEnumerable<string> IReadOnlyDictionary<string, string>.Values => Values;

    /// <inheritdoc cref="IDictionary{TKey, TValue}.this"/>
    public string this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The key '{key}' is not in the map.");
        set
        {
            var at = IndexOf(key);
            if (at >= 0)
            {
                items[(2 * at) + 1] = value;
            }
            else
            {
                Append(key, value);
            }
        }
    }

    /// <inheritdoc/>
    public void Add(string key, string value)
    {
        if (IndexOf(key) >= 0)
        {
            throw new ArgumentException($"An entry with the key '{key}' is already in the map.", nameof(key));
        }

        Append(key, value);
    }

    /// <inheritdoc/>
    public void Add(KeyValuePair<string, string> item) => Add(item.Key, item.Value);

    /// <inheritdoc/>
    public void Clear()
    {
        Array.Clear(items);
        count = 0;
        version++;
    }

    /// <inheritdoc/>
    public bool Contains(KeyValuePair<string, string> item) =>
        IndexOf(item.Key) is var at and >= 0 && string.Equals(items[(2 * at) + 1], item.Value, StringComparison.Ordinal);

    /// <inheritdoc cref="IDictionary{TKey, TValue}.ContainsKey"/>
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc/>
    public void CopyTo(KeyValuePair<string, string>[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentOutOfRangeException.ThrowIfNegative(arrayIndex);
        if (array.Length - arrayIndex < count)
        {
            throw new ArgumentException("The array is too small to hold the map's entries.", nameof(array));
        }

        foreach (var entry in Entries())
        {
            array[arrayIndex++] = entry;
        }
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Entries().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool Remove(string key)
    {
        var at = IndexOf(key);
        if (at < 0)
        {
            return false;
        }

        // Shift the later entries down, so the order of the rest is kept.
        Array.Copy(items, (2 * at) + 2, items, 2 * at, 2 * (count - at - 1));
        count--;
        items[2 * count] = null;
        items[(2 * count) + 1] = null;
        version++;
        return true;
    }

    /// <inheritdoc/>
    public bool Remove(KeyValuePair<string, string> item) => Contains(item) && Remove(item.Key);

    /// <summary>Drops the unused room at the end of the array, for a map that is read once and then kept.</summary>
    public void TrimExcess()
    {
        if (items.Length != 2 * count)
        {
            Array.Resize(ref items, 2 * count);
        }
    }

    /// <inheritdoc cref="IDictionary{TKey, TValue}.TryGetValue"/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var at = IndexOf(key);
        value = at >= 0 ? items[(2 * at) + 1] : null;
        return at >= 0;
    }

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < count; i++)
        {
            if (string.Equals(items[2 * i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void Append(string key, string? value)
    {
        if (2 * count == items.Length)
        {
            Array.Resize(ref items, Math.Max(2, items.Length * 2));
        }

        items[2 * count] = key;
        items[(2 * count) + 1] = value;
        count++;
        version++;
    }

    private IEnumerable<KeyValuePair<string, string>> Entries()
    {
        var started = version;
        for (var i = 0; i < count; i++)
        {
            yield return new KeyValuePair<string, string>(items[2 * i]!, items[(2 * i) + 1]!);
            if (version != started)
            {
                throw new InvalidOperationException("The map's keys were changed while it was enumerated.");
            }
        }
    }
}

using System.Text;

namespace MetricsOperator.Fakes.Influx;

/// <summary>The metadata a backup's "kv" part carries (the fake's stand-in for InfluxDB's bolt file).</summary>
public sealed record InfluxMetadataSnapshot(
    bool Onboarded, IReadOnlyList<InfluxOrg> Orgs, IReadOnlyList<InfluxUser> Users, IReadOnlyList<InfluxBucket> Buckets,
    IReadOnlyList<InfluxDbrp> Dbrps, IReadOnlyList<InfluxAuthorization> Authorizations);

public sealed partial class InfluxState
{
    /// <summary>Points in a bucket between two times (ns, start inclusive, stop exclusive), oldest first, one per series and time.</summary>
    /// <summary>Sets the disk size <c>/metrics</c> reports for <paramref name="bucketId"/>'s shard (null: derived from the points).</summary>
    public void SetShardDiskSize(string bucketId, long? bytes) => Locked(() =>
    {
        if (bytes is { } size)
        {
            diskSizes[bucketId] = size;
        }
        else
        {
            diskSizes.Remove(bucketId);
        }
    });

    /// <summary>The disk size <c>/metrics</c> reports for a bucket's shard.</summary>
    public long ShardDiskSize(string bucketId) => Locked(() =>
        diskSizes.TryGetValue(bucketId, out var size) ? size : Points(bucketId).Sum(p => (long)LineProtocol.Format(p).Length + 1));

    private readonly Dictionary<string, long> diskSizes = new(StringComparer.Ordinal);

    public IReadOnlyList<InfluxPoint> Points(string bucketId, long startNs = long.MinValue, long stopNs = long.MaxValue) => Locked(() =>
    {
        var result = new List<InfluxPoint>();
        if (!data.TryGetValue(bucketId, out var bucket))
        {
            return result;
        }

        foreach (var series in bucket.Series.Values)
        {
            foreach (var (time, fields) in series.Values.Where(v => v.Key >= startNs && v.Key < stopNs))
            {
                result.Add(new InfluxPoint(series.Measurement, series.Tags, [.. fields.OrderBy(f => f.Key, StringComparer.Ordinal)], time));
            }
        }

        result.Sort((a, b) => a.TimeNs.CompareTo(b.TimeNs));
        return result;
    });

    /// <summary>
    /// Stores points. A field whose type differs from the type already stored for that measurement is dropped and
    /// reported (InfluxDB's "partial write: field type conflict"); the other points are kept.
    /// A point with the same series and time as a stored one overwrites its fields, as in InfluxDB.
    /// </summary>
    internal string? WritePoints(string bucketId, IReadOnlyList<InfluxPoint> points) => Locked(() =>
    {
        if (!data.TryGetValue(bucketId, out var bucket))
        {
            bucket = new BucketData();
            data[bucketId] = bucket;
        }

        string? conflict = null;
        var dropped = 0;
        foreach (var point in points)
        {
            var accepted = new List<KeyValuePair<string, InfluxFieldValue>>(point.Fields.Count);
            foreach (var field in point.Fields)
            {
                var key = (point.Measurement, field.Key);
                if (bucket.FieldTypes.TryGetValue(key, out var existing) && existing != field.Value.Type)
                {
                    conflict ??= $"partial write: field type conflict: input field \"{field.Key}\" on measurement \"{point.Measurement}\" is type {GoTypeName(field.Value.Type)}, already exists as type {GoTypeName(existing)}";
                    continue;
                }

                bucket.FieldTypes[key] = field.Value.Type;
                accepted.Add(field);
            }

            if (accepted.Count == 0)
            {
                dropped++;
                continue;
            }

            var seriesKey = SeriesKey(point);
            if (!bucket.Series.TryGetValue(seriesKey, out var series))
            {
                series = new Series(point.Measurement, point.Tags);
                bucket.Series[seriesKey] = series;
            }

            if (!series.Values.TryGetValue(point.TimeNs, out var fields))
            {
                fields = new Dictionary<string, InfluxFieldValue>(StringComparer.Ordinal);
                series.Values[point.TimeNs] = fields;
            }

            foreach (var (name, value) in accepted)
            {
                fields[name] = value;
            }
        }

        return conflict is null ? null : $"{conflict} dropped={dropped}";
    });

    /// <summary>A bucket's data as line protocol: the fake's stand-in for a shard's TSM files.</summary>
    internal string ExportShard(string bucketId)
    {
        var text = new StringBuilder();
        foreach (var point in Points(bucketId))
        {
            text.Append(LineProtocol.Format(point)).Append('\n');
        }

        return text.ToString();
    }

    internal InfluxMetadataSnapshot ExportMetadata() => Locked(() => new InfluxMetadataSnapshot(
        IsOnboarded, [.. orgs.Values], [.. users.Values], [.. buckets.Values], [.. dbrps.Values], [.. authorizations.Values]));

    /// <summary>Replaces all metadata (restore of the "kv" part); data of buckets that still exist is kept.</summary>
    internal void ImportMetadata(InfluxMetadataSnapshot snapshot) => Locked(() =>
    {
        IsOnboarded = snapshot.Onboarded;
        Replace(orgs, snapshot.Orgs, o => o.Id);
        Replace(users, snapshot.Users, u => u.Id);
        Replace(buckets, snapshot.Buckets, b => b.Id);
        Replace(dbrps, snapshot.Dbrps, d => d.Id);
        Replace(authorizations, snapshot.Authorizations, a => a.Id);
        authorizationByTokenHash.Clear();
        foreach (var authorization in snapshot.Authorizations)
        {
            authorizationByTokenHash[authorization.TokenHash] = authorization.Id;
        }

        nextShardId = Math.Max(nextShardId, snapshot.Buckets.Select(b => b.ShardId + 1).DefaultIfEmpty(1).Max());
    });

    internal InfluxBucket? FindBucketByShard(long shardId) => Locked(() => buckets.Values.FirstOrDefault(b => b.ShardId == shardId));

    internal T Locked<T>(Func<T> action)
    {
        lock (gate)
        {
            return action();
        }
    }

    internal void Locked(Action action)
    {
        lock (gate)
        {
            action();
        }
    }

    private static void Replace<T>(Dictionary<string, T> target, IEnumerable<T> items, Func<T, string> key)
    {
        target.Clear();
        foreach (var item in items)
        {
            target[key(item)] = item;
        }
    }

    private static string SeriesKey(InfluxPoint point)
    {
        var key = new StringBuilder(point.Measurement);
        foreach (var (name, value) in point.Tags)
        {
            key.Append(',').Append(name).Append('=').Append(value);
        }

        return key.ToString();
    }

    private static string GoTypeName(InfluxFieldType type) => type switch
    {
        InfluxFieldType.Float => "float",
        InfluxFieldType.Integer => "integer",
        InfluxFieldType.UInteger => "unsigned",
        InfluxFieldType.Boolean => "boolean",
        _ => "string",
    };

    private sealed class BucketData
    {
        public Dictionary<string, Series> Series { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string Measurement, string Field), InfluxFieldType> FieldTypes { get; } = [];
    }

    private sealed class Series(string measurement, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        public string Measurement { get; } = measurement;

        public IReadOnlyList<KeyValuePair<string, string>> Tags { get; } = tags;

        public SortedDictionary<long, Dictionary<string, InfluxFieldValue>> Values { get; } = [];
    }
}

using System.Text.Json.Nodes;
using MetricsOperator.Backup.Snapshots;

namespace MetricsOperator.Backup.Influx;

/// <summary>What an InfluxDB restore did.</summary>
/// <param name="Snapshot">The snapshot restored.</param>
/// <param name="Buckets">Buckets restored (name → new ID).</param>
/// <param name="Shards">Shards streamed back.</param>
public sealed record InfluxRestoreResult(string Snapshot, IReadOnlyDictionary<string, string> Buckets, int Shards);

/// <summary>A restore would overwrite data and was not forced.</summary>
public sealed class RestoreRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RestoreRefusedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RestoreRefusedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RestoreRefusedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// Restores the user buckets of an InfluxDB snapshot bucket by bucket, as <c>influx restore --bucket</c> does (not a
/// full restore: the kv store, with its users and tokens, stays the new InfluxDB's, so the operator's admin token
/// keeps working). Every file is checked against the manifest first; a bucket that exists and holds data is refused
/// unless <c>force</c>, an existing empty one (the fresh stack's) is replaced. Shards stream from the destination into
/// InfluxDB.
/// </summary>
public sealed class InfluxRestore(InfluxBackupApi api, SnapshotStore store)
{
    /// <summary>Restores <paramref name="snapshot"/> (a name or <c>latest</c>).</summary>
    /// <exception cref="CorruptSnapshotException">The snapshot does not match its manifest.</exception>
    /// <exception cref="RestoreRefusedException">A bucket holds data and <paramref name="force"/> is false.</exception>
    public async Task<InfluxRestoreResult> RestoreAsync(string snapshot, bool force, CancellationToken cancellationToken)
    {
        var name = await store.ResolveAsync(snapshot, cancellationToken).ConfigureAwait(false);
        var manifest = await store.VerifyAsync(name, cancellationToken).ConfigureAwait(false);
        var bucketsFile = manifest.Files.FirstOrDefault(f => f.Path == InfluxBackup.BucketsFile)
            ?? throw new CorruptSnapshotException($"influxdb snapshot {name} has no {InfluxBackup.BucketsFile}");
        var manifests = (CanonicalJson.Parse(await store.ReadFileAsync(name, bucketsFile, cancellationToken).ConfigureAwait(false)) as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(b => b["bucketName"]?.GetValue<string>() is { } n && !n.StartsWith('_'))
            .ToList();

        // Decide everything before the first write, so a refusal leaves InfluxDB untouched.
        var replace = new List<string>();
        foreach (var bucket in manifests)
        {
            var bucketName = bucket["bucketName"]!.GetValue<string>();
            var org = bucket["organizationName"]?.GetValue<string>() ?? "";
            foreach (var existing in await api.BucketsNamedAsync(bucketName, cancellationToken).ConfigureAwait(false))
            {
                if (!force && await api.HasDataAsync(org, bucketName, cancellationToken).ConfigureAwait(false))
                {
                    throw new RestoreRefusedException($"bucket {bucketName} exists and holds data; restoring would replace it. Run again with --force to replace it");
                }

                replace.Add(existing["id"]!.GetValue<string>());
            }
        }

        foreach (var id in replace)
        {
            await api.DeleteBucketAsync(id, cancellationToken).ConfigureAwait(false);
        }

        var restored = new Dictionary<string, string>(StringComparer.Ordinal);
        var shards = 0;
        var files = manifest.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var bucket in manifests)
        {
            var answer = await api.RestoreBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            restored[bucket["bucketName"]!.GetValue<string>()] = answer["id"]?.GetValue<string>() ?? "";
            foreach (var mapping in (answer["shardMappings"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var path = InfluxBackup.ShardFile(mapping["oldId"]!.GetValue<long>());
                if (!files.Contains(path))
                {
                    continue;
                }

                var stream = await store.OpenFileAsync(name, path, cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    await api.RestoreShardAsync(mapping["newId"]!.GetValue<long>(), stream, cancellationToken).ConfigureAwait(false);
                }

                shards++;
            }
        }

        return new InfluxRestoreResult(name, restored, shards);
    }
}

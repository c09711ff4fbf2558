using System.Net;
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
            var answer = await RestoreBucketAsync(bucket, force, cancellationToken).ConfigureAwait(false);
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

    /// <summary>How often a bucket that reappeared between the delete and the restore is replaced again.</summary>
    private const int ReappearedAttempts = 3;

    /// <summary>
    /// Restores one bucket's metadata. The operator makes the stack's bucket whenever it finds none, so a reconcile
    /// between the delete above and this request recreates an empty bucket of the same name and InfluxDB refuses the
    /// restore with a conflict (the name exists). That bucket is the operator's fresh one: replace it too and try
    /// again. If it already holds data (written after the restore began) and the restore is not forced, the restore
    /// stops there, after the buckets before it were restored: the message says so.
    /// </summary>
    private async Task<JsonObject> RestoreBucketAsync(JsonObject bucket, bool force, CancellationToken cancellationToken)
    {
        var bucketName = bucket["bucketName"]!.GetValue<string>();
        var org = bucket["organizationName"]?.GetValue<string>() ?? "";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await api.RestoreBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
            }
            catch (InfluxBackupException e) when (attempt < ReappearedAttempts && e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity)
            {
                var reappeared = await api.BucketsNamedAsync(bucketName, cancellationToken).ConfigureAwait(false);
                if (reappeared.Count == 0)
                {
                    throw;
                }

                if (!force && await api.HasDataAsync(org, bucketName, cancellationToken).ConfigureAwait(false))
                {
                    throw new RestoreRefusedException($"bucket {bucketName} was made again during the restore and already holds data written since; the buckets before it in the snapshot were restored, {bucketName} and those after it were not. Run again with --force to replace it");
                }

                foreach (var existing in reappeared)
                {
                    await api.DeleteBucketAsync(existing["id"]!.GetValue<string>(), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}

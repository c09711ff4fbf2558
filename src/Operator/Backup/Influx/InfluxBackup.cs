using System.Text.Json.Nodes;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Snapshots;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace MetricsOperator.Backup.Influx;

/// <summary>
/// One InfluxDB data backup through InfluxDB's own backup API, streamed: the metadata parts (kv store, SQL store,
/// bucket manifests) and then every shard each go from the HTTP response straight into the destination (an S3
/// multipart upload or a file), hashed on the way; the manifest is written last. Memory stays at one upload part
/// whatever the shard size.
/// </summary>
public sealed class InfluxBackup(InfluxBackupApi api, SnapshotStore store, TimeProvider? time = null)
{
    /// <summary>Path of the bucket manifests in a snapshot.</summary>
    public const string BucketsFile = "buckets.json";

    private readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <summary>The path of a shard in a snapshot.</summary>
    public static string ShardFile(long id) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"shards/{id}.gz");

    /// <summary>Runs once; InfluxDB data always changes, so every run writes a snapshot.</summary>
    public async Task<BackupRunResult> RunAsync(BackupRunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = clock.GetUtcNow();
        var name = SnapshotNames.At(now);
        var files = new List<ManifestFile>();
        JsonArray? buckets = null;

        using (var metadata = await api.MetadataAsync(cancellationToken).ConfigureAwait(false))
        {
            var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(metadata.Content.Headers.ContentType?.ToString()).Boundary).Value
                ?? throw new InfluxBackupException("InfluxDB GET backup/metadata: no multipart boundary");
            var body = await metadata.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var reader = new MultipartReader(boundary, body);
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                var part = ContentDispositionHeaderValue.Parse(section.ContentDisposition).Name.Value?.Trim('"') ?? "part";
                if (part == "buckets")
                {
                    // The bucket manifests are small and needed to know the shards: the one part read whole.
                    buckets = (await JsonNode.ParseAsync(section.Body, cancellationToken: cancellationToken).ConfigureAwait(false)) as JsonArray ?? [];
                    files.Add(await store.WriteFileAsync(name, BucketsFile, new MemoryStream(CanonicalJson.Serialize(buckets)), cancellationToken).ConfigureAwait(false));
                }
                else
                {
                    files.Add(await store.WriteFileAsync(name, $"{GrafanaExportLayout.Segment(part)}.bin", section.Body, cancellationToken).ConfigureAwait(false));
                }
            }
        }

        foreach (var shard in ShardIds(buckets ?? []))
        {
            using var response = await api.ShardAsync(shard, cancellationToken).ConfigureAwait(false);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            Stream gzipped = response.Content.Headers.ContentEncoding.Contains("gzip") ? stream : new GzipOnTheWay(stream);
            await using (gzipped.ConfigureAwait(false))
            {
                files.Add(await store.WriteFileAsync(name, ShardFile(shard), gzipped, cancellationToken).ConfigureAwait(false));
            }
        }

        var manifest = new SnapshotManifest
        {
            Kind = SnapshotNames.InfluxDb,
            CreatedAt = now,
            Stack = options.Stack,
            SourceVersion = "InfluxDB v2 backup API",
            ContentHash = SnapshotManifest.ContentHashOf(files),
            Files = [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)],
        };
        await store.WriteManifestAsync(name, manifest, cancellationToken).ConfigureAwait(false);
        var deleted = await store.ApplyRetentionAsync(options.Keep, options.MaxAgeDays, now, cancellationToken).ConfigureAwait(false);
        return new BackupRunResult(name, Written: true, files.Sum(f => f.Size), deleted);
    }

    /// <summary>
    /// The shard IDs of the user buckets in the bucket manifests (retentionPolicies → shardGroups → shards). System
    /// buckets (<c>_monitoring</c>, <c>_tasks</c>) are InfluxDB's own, re-made by every new InfluxDB, and not restored.
    /// </summary>
    public static IReadOnlyList<long> ShardIds(JsonArray buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        return buckets.OfType<JsonObject>()
            .Where(b => b["bucketName"]?.GetValue<string>() is { } name && !name.StartsWith('_'))
            .SelectMany(b => (b["retentionPolicies"] as JsonArray ?? []).OfType<JsonObject>())
            .SelectMany(p => (p["shardGroups"] as JsonArray ?? []).OfType<JsonObject>())
            .SelectMany(g => (g["shards"] as JsonArray ?? []).OfType<JsonObject>())
            .Select(s => s["id"]!.GetValue<long>())
            .Distinct()
            .ToList();
    }
}

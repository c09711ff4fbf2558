using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Influx;

/// <summary>
/// Backup and restore, operator token only. The shapes follow the spec (multipart metadata with kv, sql and bucket
/// manifests; one octet stream per shard), the contents are the fake's own: "kv" is a JSON snapshot of the metadata,
/// "sql" is empty, and each bucket is one shard whose bytes are its points as line protocol (gzipped on request).
/// A backup taken from the fake restores into the fake; it is not a real InfluxDB backup.
/// </summary>
internal static class InfluxBackupEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app, InfluxState state)
    {
        app.Map("GET", "/api/v2/backup/metadata", async context =>
        {
            RequireOperator(context);
            var snapshot = state.ExportMetadata();
            var manifests = new JsonArray([.. snapshot.Buckets.Select(b => (JsonNode)Manifest(b, snapshot.Orgs.First(o => o.Id == b.OrgId)))]);
            const string boundary = "influxdb-fake-backup";
            var body = new MemoryStream();
            WritePart(body, boundary, "kv", "application/octet-stream", JsonSerializer.SerializeToUtf8Bytes(snapshot, Json));
            WritePart(body, boundary, "sql", "application/octet-stream", []);
            WritePart(body, boundary, "buckets", "application/json", Encoding.UTF8.GetBytes(manifests.ToJsonString()));
            body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
            context.Response.StatusCode = 200;
            context.Response.ContentType = $"multipart/mixed; boundary={boundary}";
            await SendAsync(context, body.ToArray());
        });
        app.Map("GET", "/api/v2/backup/shards/{shardID}", async context =>
        {
            RequireOperator(context);
            var bucket = Shard(context, state);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/octet-stream";
            await SendAsync(context, Encoding.UTF8.GetBytes(state.ExportShard(bucket.Id)));
        });
        app.Map("POST", "/api/v2/restore/kv", async context =>
        {
            RequireOperator(context);
            var snapshot = await JsonSerializer.DeserializeAsync<InfluxMetadataSnapshot>(await BodyAsync(context), Json, context.RequestAborted)
                ?? throw InfluxException.Invalid("empty kv snapshot");
            state.ImportMetadata(snapshot);
            await InfluxHttp.NoContent(context);
        });
        app.Map("POST", "/api/v2/restore/sql", async context =>
        {
            RequireOperator(context);
            await (await BodyAsync(context)).CopyToAsync(Stream.Null, context.RequestAborted);
            await InfluxHttp.NoContent(context);
        });
        app.Map("POST", "/api/v2/restore/bucketMetadata", async context =>
        {
            RequireOperator(context);
            var manifest = await InfluxHttp.ReadObjectAsync(context);
            var org = state.FindOrg(InfluxHttp.Str(manifest, "organizationID"), null)
                ?? state.FindOrg(null, InfluxHttp.Str(manifest, "organizationName"))
                ?? throw InfluxException.NotFound("organization not found");
            var policy = (manifest["retentionPolicies"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
            var retentionNs = policy is null ? 0 : InfluxHttp.Long(policy, "duration") ?? 0;
            var bucket = state.CreateBucket(org.Id, InfluxHttp.Str(manifest, "bucketName")!, InfluxHttp.Str(manifest, "description"), retentionNs / 1_000_000_000);
            var oldShards = policy?["shardGroups"]?.AsArray().OfType<JsonObject>()
                .SelectMany(g => g["shards"]?.AsArray().OfType<JsonObject>() ?? []).Select(s => InfluxHttp.Long(s, "id") ?? 0) ?? [];
            await InfluxHttp.WriteJsonAsync(context, 201, new JsonObject
            {
                ["id"] = bucket.Id,
                ["name"] = bucket.Name,
                ["shardMappings"] = new JsonArray([.. oldShards.Select(old => (JsonNode)new JsonObject { ["oldId"] = old, ["newId"] = bucket.ShardId })]),
            });
        });
        app.Map("POST", "/api/v2/restore/shards/{shardID}", async context =>
        {
            RequireOperator(context);
            var bucket = Shard(context, state);
            using var reader = new StreamReader(await BodyAsync(context), Encoding.UTF8);
            var (points, error) = LineProtocol.Parse(await reader.ReadToEndAsync(context.RequestAborted), "ns", 0);
            if (error is not null)
            {
                throw InfluxException.Invalid($"shard data is not a backup from the fake: {error.Message}");
            }

            state.WritePoints(bucket.Id, points);
            await InfluxHttp.NoContent(context);
        });
    }

    private static void RequireOperator(HttpContext context)
    {
        if (!InfluxState.IsOperator(InfluxHttp.Caller(context)))
        {
            throw InfluxException.Unauthorized("backup and restore require an operator token");
        }
    }

    private static InfluxBucket Shard(HttpContext context, InfluxState state) =>
        long.TryParse(InfluxHttp.Route(context, "shardID"), out var id) && state.FindBucketByShard(id) is { } bucket
            ? bucket
            : throw InfluxException.NotFound($"shard {InfluxHttp.Route(context, "shardID")} not found");

    private static JsonObject Manifest(InfluxBucket bucket, InfluxOrg org)
    {
        var manifest = new JsonObject
        {
            ["organizationID"] = org.Id,
            ["organizationName"] = org.Name,
            ["bucketID"] = bucket.Id,
            ["bucketName"] = bucket.Name,
            ["defaultRetentionPolicy"] = "autogen",
            ["retentionPolicies"] = new JsonArray(new JsonObject
            {
                ["name"] = "autogen",
                ["replicaN"] = 1,
                ["duration"] = bucket.RetentionSeconds * 1_000_000_000,
                ["shardGroupDuration"] = bucket.ShardGroupSeconds * 1_000_000_000,
                ["shardGroups"] = new JsonArray(new JsonObject
                {
                    ["id"] = bucket.ShardId,
                    ["startTime"] = InfluxJson.Time(DateTime.UnixEpoch),
                    ["endTime"] = InfluxJson.Time(new DateTime(2262, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
                    ["shards"] = new JsonArray(new JsonObject
                    {
                        ["id"] = bucket.ShardId,
                        ["shardOwners"] = new JsonArray(new JsonObject { ["nodeID"] = 0 }),
                    }),
                }),
                ["subscriptions"] = new JsonArray(),
            }),
        };
        if (bucket.Description is not null)
        {
            manifest["description"] = bucket.Description;
        }

        return manifest;
    }

    private static void WritePart(MemoryStream body, string boundary, string name, string contentType, byte[] content)
    {
        body.Write(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: attachment; name=\"{name}\"\r\nContent-Type: {contentType}\r\n\r\n"));
        body.Write(content);
        body.Write("\r\n"u8);
    }

    private static async Task SendAsync(HttpContext context, byte[] content)
    {
        if (context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.ContentEncoding = "gzip";
            await using var gzip = new GZipStream(context.Response.Body, CompressionLevel.Fastest, leaveOpen: true);
            await gzip.WriteAsync(content, context.RequestAborted);
            return;
        }

        await context.Response.Body.WriteAsync(content, context.RequestAborted);
    }

    private static async Task<Stream> BodyAsync(HttpContext context)
    {
        var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        buffer.Position = 0;
        return string.Equals(context.Request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(buffer, CompressionMode.Decompress)
            : buffer;
    }
}

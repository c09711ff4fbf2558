using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Influx;

/// <summary><c>/health</c>, <c>/ping</c>, <c>/ready</c> and onboarding (<c>/api/v2/setup</c>): the unauthenticated endpoints.</summary>
internal static class InfluxSetupEndpoints
{
    public const string Version = "v2.7.11";

    public static void Map(WebApplication app, InfluxState state)
    {
        app.Map("GET", "/health", context => InfluxHttp.WriteJsonAsync(context, 200, new JsonObject
        {
            ["name"] = "influxdb",
            ["message"] = "ready for queries and writes",
            ["status"] = "pass",
            ["checks"] = new JsonArray(),
            ["version"] = Version,
            ["commit"] = "fake",
        }));
        app.Map("GET", "/ping", Ping);
        app.Map("HEAD", "/ping", Ping);
        app.Map("GET", "/ready", context => InfluxHttp.WriteJsonAsync(context, 200, new JsonObject
        {
            ["status"] = "ready",
            ["started"] = InfluxJson.Time(DateTime.UtcNow),
            ["up"] = "1s",
        }));

        // Prometheus text, as InfluxDB 2.7 exposes it; only the storage series the operator reads. The shard's disk size
        // per bucket (docs.influxdata.com, "InfluxDB OSS metrics", Shard disk size): the stored points' line protocol
        // bytes unless a test sets the size (InfluxState.SetShardDiskSize). Values in exponent form with every digit, as Go's
        // shortest float formatting writes them (e.g. 4.188743e+06).
        app.Map("GET", "/metrics", async context =>
        {
            var text = new System.Text.StringBuilder();
            text.Append("# HELP storage_shard_disk_size Gauge of the disk size for the shard\n# TYPE storage_shard_disk_size gauge\n");
            foreach (var bucket in state.Buckets.Where(b => !b.IsSystem))
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"storage_shard_disk_size{{bucket=\"{bucket.Id}\",engine=\"tsm1\",id=\"{bucket.ShardId}\",path=\"/var/lib/influxdb2/engine/data/{bucket.Id}/autogen/{bucket.ShardId}\",walPath=\"/var/lib/influxdb2/engine/wal/{bucket.Id}/autogen/{bucket.ShardId}\"}} {state.ShardDiskSize(bucket.Id):0.###############e+00}\n");
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await context.Response.WriteAsync(text.ToString());
        });

        app.Map("GET", "/api/v2/setup", context =>
            InfluxHttp.WriteJsonAsync(context, 200, new JsonObject { ["allowed"] = !state.IsOnboarded }));
        app.Map("POST", "/api/v2/setup", async context =>
        {
            var body = await InfluxHttp.ReadObjectAsync(context);
            // retentionPeriodHrs is deprecated and, despite its name, in nanoseconds.
            var retention = InfluxHttp.Long(body, "retentionPeriodSeconds")
                ?? (InfluxHttp.Long(body, "retentionPeriodHrs") is { } ns ? ns / 1_000_000_000 : 0);
            var made = state.Onboard(
                InfluxHttp.Str(body, "username")!, InfluxHttp.Str(body, "password"), InfluxHttp.Str(body, "org")!,
                InfluxHttp.Str(body, "bucket")!, retention, InfluxHttp.Str(body, "token"));
            await InfluxHttp.WriteJsonAsync(context, 201, new JsonObject
            {
                ["user"] = InfluxJson.User(made.User),
                ["org"] = InfluxJson.Org(made.Org),
                ["bucket"] = InfluxJson.Bucket(made.Bucket),
                ["auth"] = InfluxJson.Authorization(made.Authorization, state, made.Token),
            });
        });
    }

    private static Task Ping(HttpContext context)
    {
        context.Response.Headers["X-Influxdb-Build"] = "OSS";
        context.Response.Headers["X-Influxdb-Version"] = Version;
        return InfluxHttp.NoContent(context);
    }
}

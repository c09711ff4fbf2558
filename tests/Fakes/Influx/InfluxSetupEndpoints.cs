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

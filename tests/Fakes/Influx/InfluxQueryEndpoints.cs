using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Influx;

/// <summary>
/// Reading back: Flux (<c>POST /api/v2/query</c>, the subset in <see cref="FluxQuery"/>, annotated CSV) and InfluxQL
/// through the v1 compatibility endpoint (<c>/query</c>, resolved through a DBRP mapping). InfluxQL is answered by a real
/// engine when the fake has one (<see cref="InfluxQlEngine"/>: any statement, InfluxDB 2's errors), else by the fake's
/// subset, <c>SELECT * FROM m [WHERE time &gt; now() - 1h] [LIMIT n]</c>, which answers anything else 501 (it cannot
/// tell a good query from a bad one). A bucket the token cannot read is "not found", as InfluxDB answers.
/// </summary>
internal static partial class InfluxQueryEndpoints
{
    public static void Map(WebApplication app, InfluxState state, InfluxQlEngine? engine)
    {
        app.Map("POST", "/api/v2/query", async context =>
        {
            var caller = InfluxHttp.Caller(context);
            var orgId = InfluxHttp.Query(context, "orgID");
            var orgName = InfluxHttp.Query(context, "org");
            var org = orgId is null && orgName is null
                ? state.FindOrg(caller.OrgId, null) ?? throw InfluxException.NotFound("organization not found")
                : InfluxHttp.ResolveOrg(state, orgId, orgName);
            string script;
            if (Contracts.MediaTypes.Of(context.Request.ContentType) == "application/vnd.flux")
            {
                script = await InfluxWriteEndpoint.ReadBodyAsync(context);
            }
            else
            {
                var body = await InfluxHttp.ReadObjectAsync(context);
                script = InfluxHttp.Str(body, "query")!;
            }

            var query = FluxQuery.Parse(script, DateTime.UtcNow);
            var bucket = (query.BucketId is { } id ? state.FindBucket(id) : state.ResolveBucket(org.Id, query.Bucket!)) is { } found &&
                found.OrgId == org.Id && InfluxHttp.Can(context, "read", "buckets", org.Id, found.Id)
                ? found
                : throw InfluxException.NotFound($"failed to initialize execute state: could not find bucket \"{query.Bucket ?? query.BucketId}\"");
            var csv = AnnotatedCsv.Write(query, state.Points(bucket.Id, query.StartNs, query.StopNs));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/csv; charset=utf-8";
            await context.Response.WriteAsync(csv, context.RequestAborted);
        });

        app.Map("GET", "/query", context => InfluxQlAsync(context, state, engine));
        app.Map("POST", "/query", context => InfluxQlAsync(context, state, engine));
    }

    private static async Task InfluxQlAsync(HttpContext context, InfluxState state, InfluxQlEngine? engine)
    {
        var parameters = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        string? Param(string name) => InfluxHttp.Query(context, name) ?? (parameters is not null && parameters.TryGetValue(name, out var v) ? v.ToString() : null);

        var caller = InfluxHttp.Caller(context);
        var database = Param("db") ?? "";
        var rp = Param("rp");
        var mappings = state.ListDbrps(m => m.OrgId == caller.OrgId && m.Database == database && (rp is null ? m.IsDefault : m.RetentionPolicy == rp));
        var mapping = mappings.Count > 0 ? mappings[0] : null;
        var readable = mapping is not null && InfluxHttp.Can(context, "read", "buckets", mapping.OrgId, mapping.BucketId);
        if (engine is not null)
        {
            // The fake's rules decide which bucket (if any); the engine parses and runs the statement.
            var bucket = readable ? state.FindBucket(mapping!.BucketId)?.Name : null;
            var passOn = new[] { "epoch", "chunked", "chunk_size" }.Select(n => (n, Param(n))).Where(p => p.Item2 is not null).ToDictionary(p => p.n, p => p.Item2!, StringComparer.Ordinal);
            var (status, body) = await engine.QueryAsync(bucket, database, Param("q") ?? "", passOn, context.RequestAborted);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(body, context.RequestAborted);
            return;
        }

        var statement = SelectPattern().Match(Param("q") ?? "");
        if (!statement.Success)
        {
            // Not InfluxDB's answer: the subset cannot parse InfluxQL, so it must not pass a query off as refused (400).
            await InfluxHttp.WriteJsonAsync(context, 501, new JsonObject
            {
                ["code"] = "not implemented",
                ["message"] = "the InfluxDB fake's InfluxQL subset: SELECT * FROM <measurement> [WHERE time > now() - <duration>] [LIMIT n]; give the fake an InfluxQL engine for anything else",
            });
            return;
        }

        if (!readable)
        {
            await InfluxHttp.WriteJsonAsync(context, 200, Results(new JsonObject { ["statement_id"] = 0, ["error"] = $"database not found: {database}" }));
            return;
        }

        var nowNs = FluxQuery.ToNs(DateTime.UtcNow);
        var startNs = statement.Groups["since"].Success ? FluxQuery.Parse($"from(bucket: \"x\") |> range(start: -{statement.Groups["since"].Value})", DateTime.UtcNow).StartNs : long.MinValue;
        var measurement = statement.Groups["measurement"].Value;
        var points = state.Points(mapping!.BucketId, startNs, nowNs + 1).Where(p => p.Measurement == measurement).ToList();
        if (statement.Groups["limit"].Success)
        {
            points = [.. points.Take(int.Parse(statement.Groups["limit"].Value, CultureInfo.InvariantCulture))];
        }

        var result = new JsonObject { ["statement_id"] = 0 };
        if (points.Count > 0)
        {
            var fields = points.SelectMany(p => p.Fields.Select(f => f.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
            var tags = points.SelectMany(p => p.Tags.Select(t => t.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
            var values = new JsonArray();
            foreach (var point in points)
            {
                var row = new JsonArray(AnnotatedCsv.Rfc3339Nano(point.TimeNs));
                foreach (var field in fields)
                {
                    row.Add(point.Fields.FirstOrDefault(f => f.Key == field).Value is { } value ? JsonValue.Create(value.Value) : null);
                }

                foreach (var tag in tags)
                {
                    row.Add(point.Tags.FirstOrDefault(t => t.Key == tag).Value);
                }

                values.Add(row);
            }

            result["series"] = new JsonArray(new JsonObject
            {
                ["name"] = measurement,
                ["columns"] = new JsonArray([.. new[] { "time" }.Concat(fields).Concat(tags).Select(c => (JsonNode)c)]),
                ["values"] = values,
            });
        }

        await InfluxHttp.WriteJsonAsync(context, 200, Results(result));
    }

    private static JsonObject Results(JsonObject statement) => new() { ["results"] = new JsonArray(statement) };

    [GeneratedRegex("""^\s*SELECT\s+\*\s+FROM\s+"?(?<measurement>[^"\s;]+)"?(?:\s+WHERE\s+time\s*>\s*now\(\)\s*-\s*(?<since>[0-9]+[smhdw]))?(?:\s+LIMIT\s+(?<limit>[0-9]+))?\s*;?\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex SelectPattern();
}

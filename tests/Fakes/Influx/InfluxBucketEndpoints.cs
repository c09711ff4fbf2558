using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Influx;

/// <summary>Organizations and buckets. Lists show only what the caller may read, and page like InfluxDB (20 by default).</summary>
internal static class InfluxBucketEndpoints
{
    public static void Map(WebApplication app, InfluxState state)
    {
        app.Map("GET", "/api/v2/orgs", context =>
        {
            var name = InfluxHttp.Query(context, "org");
            var id = InfluxHttp.Query(context, "orgID");
            if ((name ?? id) is not null && state.FindOrg(id, id is null ? name : null) is null)
            {
                throw InfluxException.NotFound(id is null ? $"organization name \"{name}\" not found" : "organization not found");
            }

            var orgs = state.Orgs
                .Where(o => (id is null || o.Id == id) && (name is null || o.Name == name) && InfluxHttp.Can(context, "read", "orgs", o.Id, o.Id))
                .Select(o => (JsonNode)InfluxJson.Org(o));
            return InfluxHttp.WriteJsonAsync(context, 200, new JsonObject
            {
                ["links"] = new JsonObject { ["self"] = "/api/v2/orgs" },
                ["orgs"] = new JsonArray([.. Page(context, orgs)]),
            });
        });
        app.Map("POST", "/api/v2/orgs", async context =>
        {
            InfluxHttp.Require(context, "write", "orgs", null);
            var body = await InfluxHttp.ReadObjectAsync(context);
            var org = state.CreateOrg(InfluxHttp.Str(body, "name")!, InfluxHttp.Str(body, "description"));
            await InfluxHttp.WriteJsonAsync(context, 201, InfluxJson.Org(org));
        });
        app.Map("GET", "/api/v2/orgs/{orgID}", context =>
        {
            var id = InfluxHttp.Route(context, "orgID");
            var org = state.FindOrg(id, null) ?? throw InfluxException.NotFound("organization not found");
            InfluxHttp.Require(context, "read", "orgs", org.Id, org.Id);
            return InfluxHttp.WriteJsonAsync(context, 200, InfluxJson.Org(org));
        });

        app.Map("GET", "/api/v2/buckets", context =>
        {
            var orgId = InfluxHttp.Query(context, "orgID");
            var orgName = InfluxHttp.Query(context, "org");
            string? scope = null;
            if (orgId is not null || orgName is not null)
            {
                scope = InfluxHttp.ResolveOrg(state, orgId, orgName).Id;
            }

            var name = InfluxHttp.Query(context, "name");
            var id = InfluxHttp.Query(context, "id");
            var after = InfluxHttp.Query(context, "after");
            var buckets = state.ListBuckets(b =>
                (scope is null || b.OrgId == scope) && (name is null || b.Name == name) && (id is null || b.Id == id) &&
                InfluxHttp.Can(context, "read", "buckets", b.OrgId, b.Id));
            var visible = after is null ? buckets : buckets.SkipWhile(b => b.Id != after).Skip(1);
            return InfluxHttp.WriteJsonAsync(context, 200, new JsonObject
            {
                ["links"] = new JsonObject { ["self"] = "/api/v2/buckets" + context.Request.QueryString },
                ["buckets"] = new JsonArray([.. Page(context, visible.Select(b => (JsonNode)InfluxJson.Bucket(b)))]),
            });
        });
        app.Map("POST", "/api/v2/buckets", async context =>
        {
            var body = await InfluxHttp.ReadObjectAsync(context);
            var orgId = InfluxHttp.Str(body, "orgID")!;
            InfluxHttp.Require(context, "write", "buckets", orgId);
            if (InfluxHttp.Str(body, "schemaType") == "explicit")
            {
                throw InfluxException.Invalid("explicit bucket schemas are not supported by InfluxDB OSS");
            }

            var bucket = state.CreateBucket(orgId, InfluxHttp.Str(body, "name")!, InfluxHttp.Str(body, "description"), Retention(body) ?? 0);
            await InfluxHttp.WriteJsonAsync(context, 201, InfluxJson.Bucket(bucket));
        });
        app.Map("GET", "/api/v2/buckets/{bucketID}", context =>
        {
            var bucket = Visible(context, state, "read");
            return InfluxHttp.WriteJsonAsync(context, 200, InfluxJson.Bucket(bucket));
        });
        app.Map("PATCH", "/api/v2/buckets/{bucketID}", async context =>
        {
            var bucket = Visible(context, state, "write");
            var body = await InfluxHttp.ReadObjectAsync(context);
            var updated = state.UpdateBucket(bucket.Id, InfluxHttp.Str(body, "name"), InfluxHttp.Str(body, "description"), Retention(body));
            await InfluxHttp.WriteJsonAsync(context, 200, InfluxJson.Bucket(updated));
        });
        app.Map("DELETE", "/api/v2/buckets/{bucketID}", context =>
        {
            var bucket = Visible(context, state, "write");
            state.DeleteBucket(bucket.Id);
            return InfluxHttp.NoContent(context);
        });
    }

    // The first expire rule's everySeconds; no rules means "no change" on PATCH and "forever" on POST.
    private static long? Retention(JsonObject body) =>
        body["retentionRules"] is JsonArray { Count: > 0 } rules && rules[0] is JsonObject rule ? InfluxHttp.Long(rule, "everySeconds") : null;

    private static InfluxBucket Visible(HttpContext context, InfluxState state, string action)
    {
        var bucket = state.FindBucket(InfluxHttp.Route(context, "bucketID"));
        if (bucket is null || !InfluxHttp.Can(context, "read", "buckets", bucket.OrgId, bucket.Id))
        {
            throw InfluxException.NotFound("bucket not found");
        }

        InfluxHttp.Require(context, action, "buckets", bucket.OrgId, bucket.Id);
        return bucket;
    }

    private static IEnumerable<JsonNode> Page(HttpContext context, IEnumerable<JsonNode> items)
    {
        var offset = int.TryParse(InfluxHttp.Query(context, "offset"), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var limit = int.TryParse(InfluxHttp.Query(context, "limit"), NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 20;
        return items.Skip(offset).Take(limit);
    }
}

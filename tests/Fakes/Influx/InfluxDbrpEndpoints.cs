using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Influx;

/// <summary>
/// DBRP mappings (InfluxQL's database/retention policy → bucket), stored ones and the virtual one InfluxDB 2.7 lists for every
/// bucket (see <see cref="InfluxState.ListDbrps"/>). Access follows the mapped bucket's permissions.
/// </summary>
internal static class InfluxDbrpEndpoints
{
    public static void Map(WebApplication app, InfluxState state)
    {
        app.Map("GET", "/api/v2/dbrps", context =>
        {
            var org = InfluxHttp.ResolveOrg(state, InfluxHttp.Query(context, "orgID"), InfluxHttp.Query(context, "org"));
            var id = InfluxHttp.Query(context, "id");
            var bucketId = InfluxHttp.Query(context, "bucketID");
            var database = InfluxHttp.Query(context, "db");
            var rp = InfluxHttp.Query(context, "rp");
            bool? isDefault = InfluxHttp.Query(context, "default") is { } d ? d is "true" or "1" or "t" or "T" or "TRUE" or "True" : null;
            var found = state.ListDbrps(m =>
                m.OrgId == org.Id && (id is null || m.Id == id) && (bucketId is null || m.BucketId == bucketId) &&
                (database is null || m.Database == database) && (rp is null || m.RetentionPolicy == rp) &&
                (isDefault is null || m.IsDefault == isDefault) && InfluxHttp.Can(context, "read", "buckets", m.OrgId, m.BucketId));
            return InfluxHttp.WriteJsonAsync(context, 200, new JsonObject
            {
                ["content"] = new JsonArray([.. found.Select(m => (JsonNode)InfluxJson.Dbrp(m))]),
            });
        });
        app.Map("POST", "/api/v2/dbrps", async context =>
        {
            var body = await InfluxHttp.ReadObjectAsync(context);
            var org = InfluxHttp.ResolveOrg(state, InfluxHttp.Str(body, "orgID"), InfluxHttp.Str(body, "org"));
            var bucketId = InfluxHttp.Str(body, "bucketID")!;
            InfluxHttp.Require(context, "write", "buckets", org.Id, bucketId);
            var mapping = state.CreateDbrp(org.Id, bucketId, InfluxHttp.Str(body, "database")!, InfluxHttp.Str(body, "retention_policy")!, InfluxHttp.Bool(body, "default"));
            await InfluxHttp.WriteJsonAsync(context, 201, InfluxJson.Dbrp(mapping));
        });
        app.Map("GET", "/api/v2/dbrps/{dbrpID}", context =>
        {
            var mapping = Visible(context, state, "read");
            return InfluxHttp.WriteJsonAsync(context, 200, new JsonObject { ["content"] = InfluxJson.Dbrp(mapping) });
        });
        app.Map("PATCH", "/api/v2/dbrps/{dbrpID}", async context =>
        {
            var mapping = Visible(context, state, "write");
            var body = await InfluxHttp.ReadObjectAsync(context);
            var updated = state.UpdateDbrp(mapping.Id, InfluxHttp.Str(body, "retention_policy"), InfluxHttp.Bool(body, "default"));
            await InfluxHttp.WriteJsonAsync(context, 200, new JsonObject { ["content"] = InfluxJson.Dbrp(updated) });
        });
        app.Map("DELETE", "/api/v2/dbrps/{dbrpID}", context =>
        {
            var mapping = Visible(context, state, "write");
            state.DeleteDbrp(mapping.Id);
            return InfluxHttp.NoContent(context);
        });
    }

    private static InfluxDbrp Visible(HttpContext context, InfluxState state, string action)
    {
        var org = InfluxHttp.ResolveOrg(state, InfluxHttp.Query(context, "orgID"), InfluxHttp.Query(context, "org"));
        var mapping = state.FindDbrp(InfluxHttp.Route(context, "dbrpID"));
        if (mapping is null || mapping.OrgId != org.Id || !InfluxHttp.Can(context, "read", "buckets", mapping.OrgId, mapping.BucketId))
        {
            throw InfluxException.NotFound("unable to find DBRP");
        }

        InfluxHttp.Require(context, action, "buckets", mapping.OrgId, mapping.BucketId);
        if (action == "write" && mapping.IsVirtual)
        {
            // A gap, not InfluxDB's answer (its Update would store the virtual mapping as a physical one): the fake
            // refuses to change what it makes up from a bucket (docs/fakes.md).
            throw InfluxException.NotFound("unable to find DBRP");
        }

        return mapping;
    }
}

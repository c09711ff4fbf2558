using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Influx;

/// <summary>
/// Authorizations. The token is in the 201 of the POST and nowhere else (hashed tokens, InfluxDB 2.8+/2.9 default);
/// a caller may only grant permissions it holds itself, as InfluxDB checks.
/// </summary>
internal static class InfluxAuthorizationEndpoints
{
    public static void Map(WebApplication app, InfluxState state)
    {
        app.Map("GET", "/api/v2/authorizations", context =>
        {
            var orgId = InfluxHttp.Query(context, "orgID");
            var orgName = InfluxHttp.Query(context, "org");
            string? scope = orgId is null && orgName is null ? null : InfluxHttp.ResolveOrg(state, orgId, orgName).Id;
            var userId = InfluxHttp.Query(context, "userID");
            var user = InfluxHttp.Query(context, "user");
            var tokenHash = InfluxHttp.Query(context, "token") is { } token ? InfluxIds.Hash(token) : null;
            var found = state.ListAuthorizations(a =>
                (scope is null || a.OrgId == scope) && (userId is null || a.UserId == userId) &&
                (user is null || state.FindUser(a.UserId)?.Name == user) && (tokenHash is null || a.TokenHash == tokenHash) &&
                InfluxHttp.Can(context, "read", "authorizations", a.OrgId, a.Id));
            return InfluxHttp.WriteJsonAsync(context, 200, new JsonObject
            {
                ["links"] = new JsonObject { ["self"] = "/api/v2/authorizations" },
                ["authorizations"] = new JsonArray([.. found.Select(a => (JsonNode)InfluxJson.Authorization(a, state, token: null))]),
            });
        });
        app.Map("POST", "/api/v2/authorizations", async context =>
        {
            var body = await InfluxHttp.ReadObjectAsync(context);
            var orgId = InfluxHttp.Str(body, "orgID")!;
            InfluxHttp.Require(context, "write", "authorizations", orgId);
            var permissions = ((JsonArray)body["permissions"]!).Select(p => Permission((JsonObject)p!)).ToList();
            foreach (var permission in permissions)
            {
                if (!InfluxHttp.Can(context, permission.Action, permission.Type, permission.OrgId ?? orgId, permission.Id))
                {
                    throw new InfluxException(403, "forbidden", $"permission {permission.Action}:{permission.Type} is not held by the caller and cannot be granted");
                }
            }

            var caller = InfluxHttp.Caller(context);
            var (authorization, token) = state.CreateAuthorization(
                orgId, InfluxHttp.Str(body, "userID") ?? caller.UserId, InfluxHttp.Str(body, "description"),
                InfluxHttp.Str(body, "status") != "inactive", permissions);
            await InfluxHttp.WriteJsonAsync(context, 201, InfluxJson.Authorization(authorization, state, token));
        });
        app.Map("GET", "/api/v2/authorizations/{authID}", context =>
        {
            var authorization = Visible(context, state, "read");
            return InfluxHttp.WriteJsonAsync(context, 200, InfluxJson.Authorization(authorization, state, token: null));
        });
        app.Map("PATCH", "/api/v2/authorizations/{authID}", async context =>
        {
            var authorization = Visible(context, state, "write");
            var body = await InfluxHttp.ReadObjectAsync(context);
            var status = InfluxHttp.Str(body, "status");
            var updated = state.UpdateAuthorization(authorization.Id, status is null ? null : status == "active", InfluxHttp.Str(body, "description"));
            await InfluxHttp.WriteJsonAsync(context, 200, InfluxJson.Authorization(updated, state, token: null));
        });
        app.Map("DELETE", "/api/v2/authorizations/{authID}", context =>
        {
            var authorization = Visible(context, state, "write");
            state.DeleteAuthorization(authorization.Id);
            return InfluxHttp.NoContent(context);
        });
    }

    private static InfluxPermission Permission(JsonObject permission)
    {
        var resource = (JsonObject)permission["resource"]!;
        var id = InfluxHttp.Str(resource, "id");
        var orgId = InfluxHttp.Str(resource, "orgID");
        if ((id is not null && !InfluxIds.IsValidId(id)) || (orgId is not null && !InfluxIds.IsValidId(orgId)))
        {
            throw InfluxException.Invalid("invalid ID: id must have a length of 16 bytes");
        }

        return new InfluxPermission(InfluxHttp.Str(permission, "action")!, InfluxHttp.Str(resource, "type")!, id, orgId, InfluxHttp.Str(resource, "name"));
    }

    private static InfluxAuthorization Visible(HttpContext context, InfluxState state, string action)
    {
        var authorization = state.FindAuthorization(InfluxHttp.Route(context, "authID"));
        if (authorization is null || !InfluxHttp.Can(context, "read", "authorizations", authorization.OrgId, authorization.Id))
        {
            throw InfluxException.NotFound("authorization not found");
        }

        InfluxHttp.Require(context, action, "authorizations", authorization.OrgId, authorization.Id);
        return authorization;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Influx;

/// <summary>Request/response plumbing shared by the InfluxDB fake's endpoints.</summary>
internal static class InfluxHttp
{
    private const string CallerKey = "influx.authorization";

    public static string ErrorJson(int status, string code, string message) =>
        new JsonObject { ["code"] = code, ["message"] = message }.ToJsonString();

    public static string CodeFor(int status) => status switch
    {
        400 => "invalid",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not found",
        405 => "method not allowed",
        409 => "conflict",
        413 => "request too large",
        415 => "unsupported media type",
        422 => "unprocessable entity",
        429 => "too many requests",
        501 => "not implemented",
        503 => "unavailable",
        _ => "internal error",
    };

    public static void SetCaller(HttpContext context, InfluxAuthorization authorization) => context.Items[CallerKey] = authorization;

    public static InfluxAuthorization Caller(HttpContext context) =>
        context.Items[CallerKey] as InfluxAuthorization ?? throw InfluxException.Unauthorized();

    /// <summary>InfluxDB's authorizer: the caller must hold the permission, else 401 "… is unauthorized".</summary>
    public static void Require(HttpContext context, string action, string type, string? orgId, string? id = null)
    {
        if (!Caller(context).Allows(action, type, orgId, id))
        {
            throw new InfluxException(401, "unauthorized", $"{action}:{Describe(type, orgId, id)} is unauthorized");
        }
    }

    public static bool Can(HttpContext context, string action, string type, string? orgId, string? id = null) =>
        Caller(context).Allows(action, type, orgId, id);

    public static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        return node as JsonObject ?? throw InfluxException.Invalid("request body must be a JSON object");
    }

    public static Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public static Task NoContent(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    public static string? Query(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    public static string Route(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? "";

    public static string? Str(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static long? Long(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    public static bool? Bool(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.GetValue<bool>() : null;

    /// <summary>Resolves the org a request names by <c>orgID</c> or <c>org</c> (query or body); 404 when unknown.</summary>
    public static InfluxOrg ResolveOrg(InfluxState state, string? orgId, string? orgName)
    {
        if (orgId is null && orgName is null)
        {
            throw InfluxException.Invalid("either orgID or org name must be provided");
        }

        return state.FindOrg(orgId, orgId is null ? orgName : null)
            ?? throw InfluxException.NotFound(orgId is null ? $"organization name \"{orgName}\" not found" : "organization not found");
    }

    private static string Describe(string type, string? orgId, string? id) =>
        (orgId is null ? "" : $"orgs/{orgId}/") + type + (id is null ? "" : $"/{id}");
}

/// <summary>Maps handlers that report failures by throwing <see cref="InfluxException"/>.</summary>
internal static class InfluxRoutes
{
    public static void Map(this Microsoft.AspNetCore.Builder.WebApplication app, string method, string template, Func<HttpContext, Task> handler) =>
        Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapMethods(app, template, [method], async (HttpContext context) =>
        {
            try
            {
                await handler(context);
            }
            catch (InfluxException e)
            {
                context.Response.Clear();
                await InfluxHttp.WriteJsonAsync(context, e.Status, JsonNode.Parse(InfluxHttp.ErrorJson(e.Status, e.Code, e.Message))!);
            }
        });
}

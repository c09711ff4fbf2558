using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Grafana;

/// <summary>Request/response plumbing shared by the Grafana fake's endpoints.</summary>
internal static class GrafanaHttp
{
    /// <summary>Provenance a provisioning write records: "api", or none when the request asks for editable resources.</summary>
    public static string Provenance(HttpContext context) =>
        context.Request.Headers.ContainsKey("X-Disable-Provenance") ? "" : "api";

    public static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        return node as JsonObject ?? throw new GrafanaException(400, "bad request data");
    }

    public static Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public static Task Status(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    public static string Route(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? "";

    public static string? Query(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    public static void Map(this WebApplication app, string method, string template, Func<HttpContext, Task> handler) =>
        app.MapMethods(template, [method], async (HttpContext context) =>
        {
            try
            {
                await handler(context);
            }
            catch (GrafanaException e)
            {
                context.Response.Clear();
                if (e.EmptyBody)
                {
                    context.Response.StatusCode = e.Status;
                    return;
                }

                var body = new JsonObject { ["message"] = e.Message };
                if (e.MessageId is not null)
                {
                    body["messageId"] = e.MessageId;
                    body["statusCode"] = e.Status;
                    if (e.Extra is not null)
                    {
                        body["extra"] = e.Extra.DeepClone();
                    }
                }

                await WriteJsonAsync(context, e.Status, body);
            }
        });
}

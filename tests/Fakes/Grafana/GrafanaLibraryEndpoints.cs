using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Grafana;

/// <summary>Health, folders, datasources, dashboards and search: what the operator provisions and backs up beside alerting.</summary>
internal static class GrafanaLibraryEndpoints
{
    public const string Version = "11.4.0";

    public static void Map(WebApplication app, GrafanaState state)
    {
        app.Map("GET", "/api/health", context => GrafanaHttp.WriteJsonAsync(context, 200, new JsonObject
        {
            ["commit"] = "fake",
            ["database"] = "ok",
            ["version"] = Version,
        }));

        MapFolders(app, state);
        MapDatasources(app, state);
        MapDashboards(app, state);
    }

    private static void MapFolders(WebApplication app, GrafanaState state)
    {
        app.Map("GET", "/api/folders", context =>
        {
            var parent = GrafanaHttp.Query(context, "parentUid");
            var hits = state.Folders.Where(f => f.ParentUid == parent).Select(f => (JsonNode)GrafanaJson.FolderHit(f));
            return GrafanaHttp.WriteJsonAsync(context, 200, new JsonArray([.. hits]));
        });
        app.Map("POST", "/api/folders", async context =>
        {
            var body = await GrafanaHttp.ReadObjectAsync(context);
            var folder = state.CreateFolder(body["title"]?.GetValue<string>() ?? "", body["uid"]?.GetValue<string>(), body["parentUid"]?.GetValue<string>());
            await GrafanaHttp.WriteJsonAsync(context, 200, GrafanaJson.Folder(folder));
        });
        app.Map("GET", "/api/folders/{folder_uid}", context =>
        {
            var folder = state.Folder(GrafanaHttp.Route(context, "folder_uid")) ?? throw new GrafanaException(404, "folder not found");
            return GrafanaHttp.WriteJsonAsync(context, 200, GrafanaJson.Folder(folder));
        });
        app.Map("PUT", "/api/folders/{folder_uid}", async context =>
        {
            var body = await GrafanaHttp.ReadObjectAsync(context);
            var folder = state.UpdateFolder(
                GrafanaHttp.Route(context, "folder_uid"), body["title"]?.GetValue<string>(), body["version"]?.GetValue<long>(),
                body["overwrite"]?.GetValue<bool>() ?? false);
            await GrafanaHttp.WriteJsonAsync(context, 200, GrafanaJson.Folder(folder));
        });
        app.Map("DELETE", "/api/folders/{folder_uid}", context =>
        {
            var force = GrafanaHttp.Query(context, "forceDeleteRules") is "true" or "1" or "t" or "T" or "TRUE" or "True";
            var folder = state.DeleteFolder(GrafanaHttp.Route(context, "folder_uid"), force);
            return GrafanaHttp.WriteJsonAsync(context, 200, new JsonObject
            {
                ["id"] = folder.Id,
                ["title"] = folder.Title,
                ["message"] = $"Folder {folder.Title} deleted",
            });
        });
    }

    private static void MapDatasources(WebApplication app, GrafanaState state)
    {
        app.Map("GET", "/api/datasources", context =>
            GrafanaHttp.WriteJsonAsync(context, 200, new JsonArray([.. state.Datasources.Select(d => (JsonNode)ListItem(d))])));
        app.Map("POST", "/api/datasources", async context =>
        {
            var datasource = state.AddDatasource(await GrafanaHttp.ReadObjectAsync(context));
            await GrafanaHttp.WriteJsonAsync(context, 200, Saved(datasource, "Datasource added"));
        });
        app.Map("GET", "/api/datasources/uid/{uid}", context =>
        {
            var datasource = state.Datasource(GrafanaHttp.Route(context, "uid")) ?? throw new GrafanaException(404, "Data source not found");
            return GrafanaHttp.WriteJsonAsync(context, 200, GrafanaJson.Datasource(datasource));
        });
        app.Map("PUT", "/api/datasources/uid/{uid}", async context =>
        {
            var datasource = state.UpdateDatasource(GrafanaHttp.Route(context, "uid"), await GrafanaHttp.ReadObjectAsync(context));
            await GrafanaHttp.WriteJsonAsync(context, 200, Saved(datasource, "Datasource updated"));
        });
        app.Map("DELETE", "/api/datasources/uid/{uid}", context =>
        {
            state.DeleteDatasource(GrafanaHttp.Route(context, "uid"));
            return GrafanaHttp.WriteJsonAsync(context, 200, new JsonObject { ["message"] = "Data source deleted" });
        });
    }

    private static void MapDashboards(WebApplication app, GrafanaState state)
    {
        app.Map("POST", "/api/dashboards/db", async context =>
        {
            var body = await GrafanaHttp.ReadObjectAsync(context);
            var model = body["dashboard"] as JsonObject ?? throw new GrafanaException(400, "bad request data: dashboard is required");
            var saved = state.SaveDashboard(model, body["folderUid"]?.GetValue<string>(), body["overwrite"]?.GetValue<bool>() ?? false);
            var response = new JsonObject
            {
                ["id"] = saved.Id,
                ["uid"] = saved.Uid,
                ["title"] = saved.Title,
                ["url"] = $"/d/{saved.Uid}/{GrafanaNames.Slug(saved.Title)}",
                ["status"] = "success",
                ["version"] = saved.Version,
            };
            if (saved.FolderUid is not null)
            {
                response["folderUid"] = saved.FolderUid;
            }

            await GrafanaHttp.WriteJsonAsync(context, 200, response);
        });
        app.Map("GET", "/api/dashboards/uid/{uid}", context =>
        {
            var dashboard = state.Dashboard(GrafanaHttp.Route(context, "uid")) ?? throw new GrafanaException(404, "Dashboard not found");
            var folder = dashboard.FolderUid is null ? null : state.Folder(dashboard.FolderUid);
            return GrafanaHttp.WriteJsonAsync(context, 200, new JsonObject
            {
                ["dashboard"] = dashboard.Model.DeepClone(),
                ["meta"] = new JsonObject
                {
                    ["type"] = "db",
                    ["slug"] = GrafanaNames.Slug(dashboard.Title),
                    ["url"] = $"/d/{dashboard.Uid}/{GrafanaNames.Slug(dashboard.Title)}",
                    ["version"] = dashboard.Version,
                    ["created"] = GrafanaJson.Time(dashboard.Created),
                    ["updated"] = GrafanaJson.Time(dashboard.Updated),
                    ["folderUid"] = dashboard.FolderUid ?? "",
                    ["folderTitle"] = folder?.Title ?? "General",
                    ["canSave"] = true,
                    ["canEdit"] = true,
                    ["canAdmin"] = true,
                    ["provisioned"] = false,
                },
            });
        });
        app.Map("DELETE", "/api/dashboards/uid/{uid}", context =>
        {
            var dashboard = state.DeleteDashboard(GrafanaHttp.Route(context, "uid"));
            return GrafanaHttp.WriteJsonAsync(context, 200, new JsonObject
            {
                ["uid"] = dashboard.Uid,
                ["title"] = dashboard.Title,
                ["message"] = $"Dashboard {dashboard.Title} deleted",
            });
        });
        app.Map("GET", "/api/search", context =>
        {
            var query = GrafanaHttp.Query(context, "query");
            var type = GrafanaHttp.Query(context, "type");
            var folderUids = context.Request.Query["folderUIDs"].SelectMany(v => v!.Split(',')).ToHashSet(StringComparer.Ordinal);
            var limit = int.TryParse(GrafanaHttp.Query(context, "limit"), NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 1000;
            var hits = new List<JsonNode>();
            if (type is null or "dash-folder" && folderUids.Count == 0)
            {
                hits.AddRange(state.Folders.Where(f => Matches(f.Title, query)).Select(f => (JsonNode)new JsonObject
                {
                    ["id"] = f.Id, ["uid"] = f.Uid, ["title"] = f.Title, ["type"] = "dash-folder",
                    ["uri"] = $"db/{GrafanaNames.Slug(f.Title)}", ["url"] = $"/dashboards/f/{f.Uid}/{GrafanaNames.Slug(f.Title)}", ["isStarred"] = false,
                }));
            }

            if (type is null or "dash-db")
            {
                hits.AddRange(state.Dashboards
                    .Where(d => Matches(d.Title, query) && (folderUids.Count == 0 || folderUids.Contains(d.FolderUid ?? "general")))
                    .Select(d => (JsonNode)new JsonObject
                    {
                        ["id"] = d.Id, ["uid"] = d.Uid, ["title"] = d.Title, ["type"] = "dash-db",
                        ["uri"] = $"db/{GrafanaNames.Slug(d.Title)}", ["url"] = $"/d/{d.Uid}/{GrafanaNames.Slug(d.Title)}",
                        ["folderUid"] = d.FolderUid ?? "", ["isStarred"] = false,
                    }));
            }

            return GrafanaHttp.WriteJsonAsync(context, 200, new JsonArray([.. hits.OrderBy(h => h["title"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase).Take(limit)]));
        });
    }

    private static bool Matches(string title, string? query) =>
        query is null || title.Contains(query, StringComparison.OrdinalIgnoreCase);

    private static JsonObject ListItem(GrafanaDatasource datasource)
    {
        var item = GrafanaJson.Datasource(datasource);
        item.Remove("secureJsonFields");
        item.Remove("version");
        item.Remove("withCredentials");
        item.Remove("basicAuthUser");
        return item;
    }

    private static JsonObject Saved(GrafanaDatasource datasource, string message) => new()
    {
        ["id"] = datasource.Id,
        ["name"] = datasource.Body["name"]?.GetValue<string>() ?? "",
        ["message"] = message,
        ["datasource"] = GrafanaJson.Datasource(datasource),
    };
}

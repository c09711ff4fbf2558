using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Grafana;

public sealed partial class GrafanaState
{
    private readonly Dictionary<string, GrafanaDatasource> datasources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GrafanaDashboard> dashboards = new(StringComparer.Ordinal);

    /// <summary>All datasources (secure data included: this is the fake's own view).</summary>
    public IReadOnlyList<GrafanaDatasource> Datasources => Locked(() => datasources.Values.OrderBy(d => d.Id).ToList());

    /// <summary>All dashboards.</summary>
    public IReadOnlyList<GrafanaDashboard> Dashboards => Locked(() => dashboards.Values.OrderBy(d => d.Id).ToList());

    internal GrafanaDatasource? Datasource(string uid) => Locked(() => datasources.GetValueOrDefault(uid));

    internal GrafanaDatasource AddDatasource(JsonObject request) => Locked(() =>
    {
        var name = request["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(request["type"]?.GetValue<string>()))
        {
            throw new GrafanaException(400, "bad request data: name and type are required");
        }

        var uid = request["uid"]?.GetValue<string>() is { Length: > 0 } given ? given : GrafanaNames.NewUid();
        if (GrafanaNames.UidProblem(uid) is { } problem)
        {
            throw new GrafanaException(400, problem);
        }

        if (datasources.ContainsKey(uid))
        {
            throw new GrafanaException(409, "data source with the same uid already exists");
        }

        if (datasources.Values.Any(d => d.Body["name"]?.GetValue<string>() == name))
        {
            throw new GrafanaException(409, "data source with the same name already exists");
        }

        var datasource = new GrafanaDatasource(nextId++, uid, Body(request), Secrets(request, null), 1);
        datasources[uid] = datasource;
        return datasource;
    });

    internal GrafanaDatasource UpdateDatasource(string uid, JsonObject request) => Locked(() =>
    {
        var stored = datasources.GetValueOrDefault(uid) ?? throw new GrafanaException(404, "data source not found");
        if (request["version"]?.GetValue<long>() is { } version && version != stored.Version)
        {
            throw new GrafanaException(409, "datasource has already been updated by someone else; please reload and try again");
        }

        var name = request["name"]?.GetValue<string>();
        if (name is not null && datasources.Values.Any(d => d.Uid != uid && d.Body["name"]?.GetValue<string>() == name))
        {
            throw new GrafanaException(409, "data source with the same name already exists");
        }

        var updated = stored with { Body = Body(request), SecureJsonData = Secrets(request, stored), Version = stored.Version + 1 };
        datasources[uid] = updated;
        return updated;
    });

    internal GrafanaDatasource DeleteDatasource(string uid) => Locked(() =>
        datasources.Remove(uid, out var removed) ? removed : throw new GrafanaException(404, "data source not found"));

    internal GrafanaDashboard SaveDashboard(JsonObject model, string? folderUid, bool overwrite) => Locked(() =>
    {
        var title = model["title"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new GrafanaException(400, "Dashboard title cannot be empty");
        }

        if (!string.IsNullOrEmpty(folderUid) && !folders.ContainsKey(folderUid))
        {
            throw new GrafanaException(400, "folder not found");
        }

        var uid = model["uid"]?.GetValue<string>() is { Length: > 0 } given ? given : GrafanaNames.NewUid();
        if (GrafanaNames.UidProblem(uid) is { } problem)
        {
            throw new GrafanaException(400, problem);
        }

        var now = DateTime.UtcNow;
        var existing = dashboards.GetValueOrDefault(uid);
        if (existing is not null && !overwrite && model["version"]?.GetValue<long>() != existing.Version)
        {
            throw new GrafanaException(412, "The dashboard has been changed by someone else");
        }

        var version = (existing?.Version ?? 0) + 1;
        var stored = (JsonObject)model.DeepClone();
        var dashboard = new GrafanaDashboard(existing?.Id ?? nextId++, uid, title, string.IsNullOrEmpty(folderUid) ? null : folderUid, stored, version, existing?.Created ?? now, now);
        stored["id"] = dashboard.Id;
        stored["uid"] = uid;
        stored["version"] = version;
        dashboards[uid] = dashboard;
        return dashboard;
    });

    internal GrafanaDashboard? Dashboard(string uid) => Locked(() => dashboards.GetValueOrDefault(uid));

    internal GrafanaDashboard DeleteDashboard(string uid) => Locked(() =>
        dashboards.Remove(uid, out var removed) ? removed : throw new GrafanaException(404, "Dashboard not found"));

    private static JsonObject Body(JsonObject request)
    {
        var body = Clone(request);
        body.Remove("secureJsonData");
        body.Remove("version");
        body["access"] ??= "proxy";
        body["jsonData"] ??= new JsonObject();
        return body;
    }

    private static Dictionary<string, string> Secrets(JsonObject request, GrafanaDatasource? previous)
    {
        var secrets = new Dictionary<string, string>(previous?.SecureJsonData ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in request["secureJsonData"] as JsonObject ?? [])
        {
            secrets[key] = value?.GetValue<string>() ?? "";
        }

        return secrets;
    }
}

using System.Net;
using System.Text.Json.Nodes;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Grafana;

namespace MetricsOperator.Tests.Backup;

/// <summary>Fills a Grafana fake with one of everything a backup carries, through Grafana's HTTP API.</summary>
internal static class GrafanaSeed
{
    public static GrafanaConfigApi Api(GrafanaFake grafana) => new(grafana.BaseUri, GrafanaCredentials.Basic("admin", "admin"), TimeSpan.FromSeconds(10));

    public static async Task FillAsync(GrafanaConfigApi api)
    {
        var ct = CancellationToken.None;
        await api.SendAsync(HttpMethod.Post, "api/folders", new JsonObject { ["uid"] = "app-butler", ["title"] = "butler" }, false, ct);
        await api.SendAsync(HttpMethod.Post, "api/folders", new JsonObject { ["uid"] = "team-ops", ["title"] = "Ops dashboards" }, false, ct);
        await api.SendAsync(HttpMethod.Post, "api/datasources", new JsonObject
        {
            ["uid"] = "influxdb", ["name"] = "InfluxDB", ["type"] = "influxdb", ["access"] = "proxy", ["url"] = "http://metrics-influxdb:8086",
            ["jsonData"] = new JsonObject { ["dbName"] = "metrics" },
        }, false, ct);
        await DashboardAsync(api, "latency", "Latency", "team-ops", "mean(latency)");
        await DashboardAsync(api, "home", "Home", null, "count(requests)");
        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/contact-points", new JsonObject
        {
            ["uid"] = "ops-webhook", ["name"] = "ops-webhook", ["type"] = "webhook", ["settings"] = new JsonObject { ["url"] = "http://hooks.example/alert" },
        }, true, ct);
        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/contact-points", new JsonObject
        {
            ["uid"] = "ops-slack", ["name"] = "ops-slack", ["type"] = "slack", ["settings"] = new JsonObject { ["url"] = "https://hooks.slack.example/T000/B000/XXXX", ["recipient"] = "#ops" },
        }, true, ct);
        await api.SendAsync(HttpMethod.Put, "api/v1/provisioning/policies", new JsonObject
        {
            ["receiver"] = "ops-webhook", ["group_by"] = new JsonArray("alertname"),
            ["routes"] = new JsonArray(new JsonObject { ["receiver"] = "ops-webhook", ["object_matchers"] = new JsonArray(new JsonArray("app", "=", "butler")) }),
        }, true, ct);
        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/alert-rules", Rule("butler-slow", "Butler is slow"), true, ct);
        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/alert-rules", Rule("butler-down", "Butler is down"), false, ct);
        await api.SendAsync(HttpMethod.Put, "api/v1/provisioning/folder/app-butler/rule-groups/butler-alerts", new JsonObject
        {
            ["interval"] = 120,
            ["rules"] = new JsonArray(Rule("butler-slow", "Butler is slow"), Rule("butler-down", "Butler is down")),
        }, true, ct, HttpStatusCode.OK);
    }

    public static Task DashboardAsync(GrafanaConfigApi api, string uid, string title, string? folderUid, string query)
    {
        var body = new JsonObject
        {
            ["dashboard"] = new JsonObject
            {
                ["uid"] = uid, ["title"] = title, ["schemaVersion"] = 39,
                ["panels"] = new JsonArray(new JsonObject { ["id"] = 1, ["type"] = "timeseries", ["title"] = title, ["targets"] = new JsonArray(new JsonObject { ["query"] = query }) }),
            },
            ["overwrite"] = true,
        };
        if (folderUid is not null)
        {
            body["folderUid"] = folderUid;
        }

        return api.SendAsync(HttpMethod.Post, "api/dashboards/db", body, false, CancellationToken.None);
    }

    public static JsonObject Rule(string uid, string title) => new()
    {
        ["uid"] = uid,
        ["orgID"] = 1,
        ["folderUID"] = "app-butler",
        ["ruleGroup"] = "butler-alerts",
        ["title"] = title,
        ["condition"] = "C",
        ["data"] = new JsonArray(
            new JsonObject
            {
                ["refId"] = "A", ["datasourceUid"] = "influxdb", ["relativeTimeRange"] = new JsonObject { ["from"] = 600, ["to"] = 0 },
                ["model"] = new JsonObject { ["refId"] = "A", ["query"] = "SELECT mean(latency) FROM requests", ["rawQuery"] = true },
            },
            new JsonObject
            {
                ["refId"] = "C", ["datasourceUid"] = "__expr__",
                ["model"] = new JsonObject { ["refId"] = "C", ["type"] = "threshold", ["expression"] = "A" },
            }),
        ["noDataState"] = "NoData",
        ["execErrState"] = "Error",
        ["for"] = "5m",
        ["labels"] = new JsonObject { ["app"] = "butler" },
    };
}

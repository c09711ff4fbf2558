using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MetricsOperator.Fakes.Grafana;

namespace MetricsOperator.Fakes.Tests.Grafana;

/// <summary>A fresh Grafana fake per test, an admin client, and a valid rule to start from.</summary>
public abstract class GrafanaTestBase : IAsyncLifetime
{
    protected GrafanaFake Grafana { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Grafana = await GrafanaFake.StartNewAsync();
        Http = Grafana.CreateClient(TimeSpan.FromSeconds(5));
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:admin")));
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Grafana.DisposeAsync();
    }

    // A rule as the operator would send it; no "uid" at all for a new rule (null is not a string to the spec).
    protected static JsonObject Rule(string? uid, string title, string folderUid = "app-butler", string group = "butler-alerts")
    {
        var rule = NewRule(title, folderUid, group);
        if (uid is not null)
        {
            rule["uid"] = uid;
        }

        return rule;
    }

    private static JsonObject NewRule(string title, string folderUid, string group) => new()
    {
        ["orgID"] = 1,
        ["folderUID"] = folderUid,
        ["ruleGroup"] = group,
        ["title"] = title,
        ["condition"] = "C",
        ["data"] = new JsonArray(
            new JsonObject
            {
                ["refId"] = "A",
                ["datasourceUid"] = "influxdb",
                ["relativeTimeRange"] = new JsonObject { ["from"] = 600, ["to"] = 0 },
                ["model"] = new JsonObject { ["refId"] = "A", ["query"] = "SELECT mean(latency) FROM requests", ["rawQuery"] = true },
            },
            new JsonObject
            {
                ["refId"] = "C",
                ["datasourceUid"] = "__expr__",
                ["model"] = new JsonObject { ["refId"] = "C", ["type"] = "threshold", ["expression"] = "A" },
            }),
        ["noDataState"] = "NoData",
        ["execErrState"] = "Error",
        ["for"] = "300s",
        ["labels"] = new JsonObject { ["app"] = "butler", ["severity"] = "warning" },
        ["annotations"] = new JsonObject { ["summary"] = "slow" },
    };

    protected async Task<JsonObject> CreateFolderAsync(string uid = "app-butler", string title = "butler")
    {
        var response = await Http.PostAsJsonAsync("/api/folders", new { uid, title });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    protected async Task<JsonObject> PostRuleAsync(JsonObject rule, bool disableProvenance = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provisioning/alert-rules") { Content = JsonContent.Create(rule) };
        if (disableProvenance)
        {
            request.Headers.Add("X-Disable-Provenance", "true");
        }

        var response = await Http.SendAsync(request);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    protected Task<HttpResponseMessage> PutGroupAsync(long interval, params JsonObject[] rules) =>
        Http.PutAsJsonAsync("/api/v1/provisioning/folder/app-butler/rule-groups/butler-alerts", new JsonObject
        {
            ["interval"] = interval,
            ["rules"] = new JsonArray([.. rules]),
        });
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MetricsOperator.Fakes.Grafana;

namespace MetricsOperator.Fakes.Tests.Grafana;

/// <summary>Folders, contact points, policies, datasources, dashboards, faults and counters.</summary>
public sealed class GrafanaResourceTests : GrafanaTestBase
{
    [Fact]
    public async Task Folders_have_unique_uids_versions_and_keep_their_rules()
    {
        var folder = await CreateFolderAsync();
        folder["version"]!.GetValue<long>().ShouldBe(1);
        (await Http.PostAsJsonAsync("/api/folders", new { uid = "app-butler", title = "again" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Http.PostAsJsonAsync("/api/folders", new { uid = new string('x', 41), title = "long" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Http.GetAsync("/api/folders/missing")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Http.PutAsJsonAsync("/api/folders/app-butler", new { title = "renamed", version = 7 })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Http.PutAsJsonAsync("/api/folders/app-butler", new { title = "renamed", version = 1 })).StatusCode.ShouldBe(HttpStatusCode.OK);

        await PostRuleAsync(Rule("r1", "R1"));
        (await Http.DeleteAsync("/api/folders/app-butler")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Http.DeleteAsync("/api/folders/app-butler?forceDeleteRules=true")).StatusCode.ShouldBe(HttpStatusCode.OK);
        Grafana.State.RuleCount.ShouldBe(0);
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Contact_points_hide_secrets_and_policies_route_only_to_existing_receivers()
    {
        var created = await Http.PostAsJsonAsync("/api/v1/provisioning/contact-points", new
        {
            uid = "slack-butler", name = "butler-slack", type = "slack", settings = new { url = "https://hooks.example/T000/B000/secret" },
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Accepted);

        var listed = await Http.GetFromJsonAsync<JsonArray>("/api/v1/provisioning/contact-points?name=butler-slack");
        listed!.Single()!["settings"]!["url"]!.GetValue<string>().ShouldBe(GrafanaState.Redacted);
        (await Http.PostAsJsonAsync("/api/v1/provisioning/contact-points", new { name = "broken", type = "slack", settings = new { } }))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var badPolicy = await Http.PutAsJsonAsync("/api/v1/provisioning/policies", new { receiver = "nobody" });
        badPolicy.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var policy = new
        {
            receiver = GrafanaState.DefaultContactPoint,
            routes = new[] { new { receiver = "butler-slack", object_matchers = new[] { new[] { "app", "=", "butler" } } } },
        };
        (await Http.PutAsJsonAsync("/api/v1/provisioning/policies", policy)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var tree = await Http.GetFromJsonAsync<JsonObject>("/api/v1/provisioning/policies");
        tree!["routes"]![0]!["receiver"]!.GetValue<string>().ShouldBe("butler-slack");
        tree["provenance"]!.GetValue<string>().ShouldBe("api");
        (await Http.DeleteAsync("/api/v1/provisioning/contact-points/slack-butler")).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Datasources_and_dashboards_keep_versions_and_secrets()
    {
        var added = await Http.PostAsJsonAsync("/api/datasources", new
        {
            uid = "influxdb", name = "InfluxDB", type = "influxdb", url = "http://influxdb:8086", access = "proxy",
            jsonData = new { version = "InfluxQL", dbName = "metrics" }, secureJsonData = new { httpHeaderValue1 = "Token secret" },
        });
        added.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Http.PostAsJsonAsync("/api/datasources", new { uid = "other", name = "InfluxDB", type = "influxdb" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var read = await Http.GetFromJsonAsync<JsonObject>("/api/datasources/uid/influxdb");
        read!["secureJsonFields"]!["httpHeaderValue1"]!.GetValue<bool>().ShouldBeTrue();
        read.ToJsonString().ShouldNotContain("Token secret");

        var saved = await Http.PostAsJsonAsync("/api/dashboards/db", new { dashboard = new { uid = "butler", title = "Butler" } });
        saved.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stale = await Http.PostAsJsonAsync("/api/dashboards/db", new { dashboard = new { uid = "butler", title = "Butler", version = 0 } });
        stale.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        (await Http.PostAsJsonAsync("/api/dashboards/db", new { dashboard = new { uid = "butler", title = "Butler", version = 1 } })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var hits = await Http.GetFromJsonAsync<JsonArray>("/api/search?type=dash-db");
        hits!.Single()!["uid"]!.GetValue<string>().ShouldBe("butler");
        (await Http.GetFromJsonAsync<JsonObject>("/api/dashboards/uid/butler"))!["meta"]!["version"]!.GetValue<long>().ShouldBe(2);
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Faults_and_counters()
    {
        await CreateFolderAsync();
        Grafana.Requests.Reset();
        Grafana.Faults.FailNext(1, 500, "PUT", "/api/v1/provisioning/folder/{FolderUID}/rule-groups/{Group}");
        (await PutGroupAsync(60, Rule(null, "x"))).StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await PutGroupAsync(60, Rule(null, "x"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Http.GetAsync("/api/v1/provisioning/alert-rules");

        Grafana.Requests.Count("PUT", "/api/v1/provisioning/folder/{FolderUID}/rule-groups/{Group}").ShouldBe(2);
        Grafana.Requests.Writes.ShouldBe(2);
        Grafana.Requests.Total.ShouldBe(3);

        // Answer times: counted like the requests; a fault is answered by the injector, not timed as the fake's work.
        var times = Grafana.Requests.AnswerTimes();
        times["PUT /api/v1/provisioning/folder/{FolderUID}/rule-groups/{Group}"].Count.ShouldBe(1, "the second; the first was the injected 500");
        times["PUT /api/v1/provisioning/folder/{FolderUID}/rule-groups/{Group}"].MeanMs.ShouldBeGreaterThan(0);
        times["GET /api/v1/provisioning/alert-rules"].MeanMs.ShouldBeGreaterThan(0);

        await Grafana.StopAsync();
        await Should.ThrowAsync<HttpRequestException>(() => Http.GetAsync("/api/health"));
        await Grafana.StartAsync();
        Grafana.State.RuleCount.ShouldBe(1);
        Grafana.Faults.ResetConnections = true;
        await Should.ThrowAsync<HttpRequestException>(() => Http.GetAsync("/api/health"));
        Grafana.Faults.Clear();
        (await Http.GetAsync("/api/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        Grafana.Contract.AssertNoContractViolations();
    }
}

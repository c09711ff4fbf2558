using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Integration;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// External mode through the whole operator (real API server, InfluxDB and Grafana fakes, the kubelet stand-in): the
/// environment's datasources are created in the external Grafana with the read token the InfluxDB step minted, put back
/// when someone edits them, left alone when unchanged, and deleted with the stack. Every request contract-checked.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class ExternalDatasourcesTests(ApiServerFixture fixture)
{
    private const string InfluxQl = "influxdb-influxql-idfdev";
    private const string Flux = "influxdb-flux-idfdev";
    private const string ExternalUrl = "https://data-idfdev.example.org/influxdb";

    [Fact]
    public async Task The_environments_datasources_are_kept_in_the_external_grafana_and_go_with_the_stack()
    {
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));
        // The user's Secret with the central Grafana's login (not a name the operator owns).
        var centralLogin = new Dictionary<string, string> { [StackNames.GrafanaUserKey] = op.Grafana.AdminUser, [StackNames.GrafanaPasswordKey] = op.Grafana.AdminPassword };
        await op.CreateSecretAsync("central-grafana", centralLogin);
        await op.CreateStackWithSpecAsync(new
        {
            environment = "idfdev",
            influxdb = new { externalUrl = ExternalUrl },
            grafana = new { mode = "external", url = op.Grafana.BaseUri.ToString(), credentialsSecret = new { name = "central-grafana" } },
        });

        var stack = await Eventually.UntilAsync(op.GetStackAsync,
            s => OperatorWithFakes.Condition(s, MetricsStackConditions.GrafanaReady) is { Status: "True" } c && c.Message.Contains(InfluxQl, StringComparison.Ordinal),
            "GrafanaReady is True with the environment's datasources", TimeSpan.FromSeconds(60));
        OperatorWithFakes.Condition(stack, MetricsStackConditions.GrafanaReady)!.Message.ShouldContain(ExternalUrl);
        var token = (await op.SecretValueAsync(StackNames.GrafanaTokenSecret(stack!), StackNames.TokenKey)).ShouldNotBeNull();
        var influxQl = op.Grafana.State.Datasources.Single(d => d.Uid == InfluxQl);
        ((string?)influxQl.Body["url"], (string?)influxQl.Body["name"], (string?)influxQl.Body["jsonData"]!["dbName"]).ShouldBe((ExternalUrl, "InfluxDB (InfluxQL) idfdev", "metrics"));
        influxQl.SecureJsonData["httpHeaderValue1"].ShouldBe("Token " + token, "the read token the InfluxDB step minted");
        var flux = op.Grafana.State.Datasources.Single(d => d.Uid == Flux);
        ((string?)flux.Body["jsonData"]!["version"], (string?)flux.Body["jsonData"]!["organization"]).ShouldBe(("Flux", "rubin"));
        flux.SecureJsonData["token"].ShouldBe(token);

        // Unchanged: another reconcile writes nothing, and within the drift-check period reads nothing either.
        var writes = op.Grafana.Requests.Writes;
        var reads = DatasourceReads(op);
        await op.ReconcileAgainAsync();
        op.Grafana.Requests.Writes.ShouldBe(writes);
        DatasourceReads(op).ShouldBe(reads, "datasources found as desired are not read again on every resync");

        // Someone points the datasource elsewhere in Grafana: it stands until the drift-check period (the rules' snapshot
        // age) has passed, then the next reconcile reads it and puts it back.
        await EditAsUserAsync(op, InfluxQl, "http://somewhere-else:8086");
        ((string?)op.Grafana.State.Datasources.Single(d => d.Uid == InfluxQl).Body["url"]).ShouldBe("http://somewhere-else:8086");
        await op.ReconcileAgainAsync();
        ((string?)op.Grafana.State.Datasources.Single(d => d.Uid == InfluxQl).Body["url"]).ShouldBe("http://somewhere-else:8086", "inside the period nothing is read");
        op.Clock.Advance(MetricsOperator.Alerts.AlertSyncOptions.Default.SnapshotMaxAge);
        await op.ReconcileAgainAsync();
        ((string?)op.Grafana.State.Datasources.Single(d => d.Uid == InfluxQl).Body["url"]).ShouldBe(ExternalUrl);
        DatasourceReads(op).ShouldBe(reads + 2, "both datasources read once when the period ended");

        // The token went only into Grafana's secure settings: no log line, Event or status holds it.
        await op.AssertNoSecretLeakedAsync("MetricsStack", token);

        // The stack goes: so do its datasources (they hold its token).
        await op.Admin.DeleteAsync<V1Alpha1MetricsStack>(op.Namespace, OperatorWithFakes.Name);
        await Eventually.UntilAsync(() => !op.Grafana.State.Datasources.Any(d => d.Uid is InfluxQl or Flux),
            "the environment's datasources are deleted from the external Grafana", TimeSpan.FromSeconds(60));
        op.Grafana.Contract.AssertNoContractViolations();
    }

    private static long DatasourceReads(OperatorWithFakes op) => op.Grafana.Requests.Snapshot()
        .Where(kv => kv.Key.StartsWith("GET /api/datasources", StringComparison.Ordinal)).Sum(kv => kv.Value);

    // A person editing the datasource through Grafana's API (what the UI sends), with the admin login.
    private static async Task EditAsUserAsync(OperatorWithFakes op, string uid, string url)
    {
        using var http = new HttpClient { BaseAddress = op.Grafana.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{op.Grafana.AdminUser}:{op.Grafana.AdminPassword}")));
        var body = (JsonObject)op.Grafana.State.Datasources.Single(d => d.Uid == uid).Body.DeepClone();
        body["url"] = url;
        body["uid"] = uid;
        using var response = await http.PutAsync($"api/datasources/uid/{uid}", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }
}

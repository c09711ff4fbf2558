using MetricsOperator.Alerts;
using MetricsOperator.Alerts.QueryChecks;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Integration;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// Queries checked before sync, through the whole operator: the MetricsStack controller sets InfluxDB up (the fake) and
/// mints the read token, and the AppAlert controller asks the InfluxDB fake with it, whose InfluxQL is run by a real
/// influxd 1.6.7 (<see cref="RealInflux"/>), so parse errors are InfluxDB's own. Flux cannot run here: its path goes to the
/// fake's Flux subset, which answers an unknown bucket as InfluxDB 2 does.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class QueryCheckSyncTests(ApiServerFixture fixture, RealInflux influxd) : IClassFixture<RealInflux>
{
    private const string Logins = "SELECT count(\"elapsed\") FROM \"login\" WHERE $timeFilter";
    private const string Broken = "SELECT count(\"elapsed\") FRM \"login\" WHERE $timeFilter";
    private const string Spawns = "from(bucket: \"metrics\") |> range(start: v.timeRangeStart, stop: v.timeRangeStop) |> filter(fn: (r) => r._measurement == \"login\")";

    [Fact]
    public async Task A_refused_query_keeps_its_appalert_out_of_grafana_and_no_data_turns_to_data()
    {
        var options = new AlertSyncOptions { QueryChecks = new QueryCheckOptions { NoDataRecheck = TimeSpan.FromSeconds(2) } };
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow), influxQlEngine: new Uri(influxd.Url), alertOptions: options);
        // The Grafana fake starts seeded (GrafanaSeed) with rules of its own: only the ones added here are looked at.
        var seeded = Titles(op);
        await op.CreateStackWithSpecAsync(new { });
        await Eventually.UntilAsync(op.GetStackAsync, s => ConditionSet.IsTrue(s?.Status?.Conditions, MetricsStackConditions.Ready), "the stack is Ready", TimeSpan.FromSeconds(60));

        await CreateAsync(op, "good", "good", AlertSamples.Rule("Logins", text: Logins), AlertSamples.Rule("Spawns", QueryLanguage.Flux, Spawns));
        await CreateAsync(op, "broken", "broken", AlertSamples.Rule("Fine", text: Logins), AlertSamples.Rule("Broken", text: Broken));
        await CreateAsync(op, "fluxy", "fluxy", AlertSamples.Rule("Nowhere", QueryLanguage.Flux, Spawns.Replace("\"metrics\"", "\"nope\"", StringComparison.Ordinal)));

        // Refused with InfluxDB 2's own words (the parser's text is influxd's), naming the rule and field; nothing of it in Grafana.
        var broken = await WaitForAsync(op, "broken", "False", AppAlertReasons.InvalidQuery);
        var ready = broken.Status!.Conditions!.Single(c => c.Type == "Ready");
        ready.Message.ShouldBe("rule \"Broken\": spec.rules[1].query.text: InfluxDB refused the InfluxQL query: failed to parse query: found FRM, expected FROM at line 1, char 25");
        broken.Status.Rules!.Single(r => r.Name == "Fine").Message.ShouldBe("not synced: InfluxDB refused a query of another rule of this AppAlert");
        var fluxy = await WaitForAsync(op, "fluxy", "False", AppAlertReasons.InvalidQuery);
        fluxy.Status!.Conditions!.Single(c => c.Type == "Ready").Message.ShouldEndWith("InfluxDB refused the Flux query: failed to initialize execute state: could not find bucket \"nope\"");

        // Another AppAlert of the stack is synced; its queries parsed and found nothing yet, and status says so.
        var good = await WaitForAsync(op, "good", "True", AppAlertReasons.Synced);
        good.Status!.Rules!.Single(r => r.Name == "Logins").QueryCheck.ShouldStartWith("no data in the last 5m (queries A) when checked at ");
        Titles(op).Except(seeded).ShouldBe(["Logins", "Spawns"], ignoreOrder: true);

        // The app writes: the "no data" verdicts go stale and the next check finds data.
        await op.WriteAsTelegrafAsync($"login,app=good elapsed=0.5 {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}000000");
        good = await Eventually.UntilAsync(() => op.Admin.GetAsync<V1Alpha1AppAlert>(op.Namespace, "good"),
            a => a.Status?.Rules?.All(r => r.QueryCheck?.StartsWith("data in the last 5m when checked at ", StringComparison.Ordinal) == true) == true,
            "good's queries found data", TimeSpan.FromSeconds(30));

        // Fixed: synced, and the other AppAlerts never moved.
        await op.Admin.PatchAsync<V1Alpha1AppAlert>(op.Namespace, "broken", MetricsOperator.Runtime.Client.PatchType.Json,
            $$"""[{"op": "replace", "path": "/spec/rules/1/query/text", "value": {{System.Text.Json.JsonSerializer.Serialize(Logins.Replace("count", "max", StringComparison.Ordinal))}}}]""");
        broken = await WaitForAsync(op, "broken", "True", AppAlertReasons.Synced);
        broken.Status!.Rules!.Single(r => r.Name == "Broken").QueryCheck.ShouldStartWith("data in the last 5m when checked at ");
        Titles(op).Except(seeded).ShouldBe(["Logins", "Spawns", "Fine", "Broken"], ignoreOrder: true);
        (await op.Admin.GetAsync<V1Alpha1AppAlert>(op.Namespace, "good"))!.Status!.Conditions!.Single(c => c.Type == "Ready").Reason.ShouldBe(AppAlertReasons.Synced);

        // A resync of every AppAlert asks InfluxDB nothing (all verdicts are "data" or refusals now) and writes nothing to Grafana.
        var (queries, flux, writes) = (op.Influx.Requests.Count("GET", "/query"), op.Influx.Requests.Count("POST", "/api/v2/query"), op.Grafana.Requests.Writes);
        await ResyncAsync(op, "good", "broken", "fluxy");
        (op.Influx.Requests.Count("GET", "/query"), op.Influx.Requests.Count("POST", "/api/v2/query"), op.Grafana.Requests.Writes).ShouldBe((queries, flux, writes));
        queries.ShouldBeGreaterThan(0, "the InfluxQL checks went to the fake's /query");

        await op.AssertNoSecretLeakedAsync("Synced AppAlert");
        op.Grafana.Contract.AssertNoContractViolations();
        op.Influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Without_an_influxdb_to_ask_the_rules_are_synced_unchecked_and_status_says_why()
    {
        // The AlertOperator harness runs no MetricsStack controller, so no read token exists: the check cannot be made.
        // InfluxDB is asked again every 300 ms (a minute in production), so the outage lasts many rechecks here.
        await using var op = await AlertOperator.StartAsync(fixture.Plane, options: new AlertSyncOptions
        {
            OutageBackoffBase = TimeSpan.FromMilliseconds(200),
            OutageBackoffMax = TimeSpan.FromSeconds(1),
            QueryChecks = QueryCheckOptions.Default with { UnavailableRecheck = TimeSpan.FromMilliseconds(300) },
        });
        await op.CreateAsync(AlertSamples.ForApiServer(AlertSamples.Alert(op.Namespace, "unchecked", AlertSamples.Rule("Logins", text: Broken))));

        var alert = await op.WaitForReadyAsync("unchecked", "True", AppAlertReasons.Synced);

        var ready = alert.Status!.Conditions!.Single(c => c.Type == "Ready");
        ready.Message.ShouldMatch($@"; synced without the query check since \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(Secret {op.Namespace}/metrics-grafana-token has no InfluxDB read token \(key token\) yet\)$");
        alert.Status.Rules!.Single().QueryCheck!.ShouldMatch($@"^not checked since \S+Z: Secret {op.Namespace}/metrics-grafana-token has no InfluxDB read token \(key token\) yet; asked again until InfluxDB answers$");
        op.Grafana.State.Rules.Select(r => (string?)r["title"]).ShouldBe(["Logins"]);

        // Each recheck fails again (the AppAlert comes back by itself for it): status reads the same, so nothing is
        // written; with a time that moved on, an outage would rewrite every AppAlert of the stack once per recheck.
        var reconciles = Reconciles(op.Manager);
        await Eventually.UntilAsync(() => Task.FromResult(Reconciles(op.Manager) >= reconciles + 5), "five rechecks, over a second");
        var after = (await op.GetAsync("unchecked"))!;
        after.Metadata.ResourceVersion.ShouldBe(alert.Metadata.ResourceVersion);
        after.Status!.Rules!.Single().QueryCheck.ShouldBe(alert.Status.Rules!.Single().QueryCheck);
    }

    private static List<string?> Titles(OperatorWithFakes op) => [.. op.Grafana.State.Rules.Select(r => (string?)r["title"])];

    private static async Task CreateAsync(OperatorWithFakes op, string name, string app, params AlertRule[] rules)
    {
        var alert = AlertSamples.ForApiServer(AlertSamples.Alert(op.Namespace, name, rules));
        alert.Spec.App = app;
        await op.Admin.CreateAsync(alert);
    }

    private static Task<V1Alpha1AppAlert> WaitForAsync(OperatorWithFakes op, string name, string status, string reason) =>
        Eventually.UntilAsync(() => op.Admin.GetAsync<V1Alpha1AppAlert>(op.Namespace, name),
            a => a.Status?.ObservedGeneration == a.Metadata.Generation && a.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == status && c.Reason == reason) == true,
            $"{name} is Ready={status} ({reason})", TimeSpan.FromSeconds(60));

    // Queues each AppAlert as a resync would, and waits until those reconciles finished.
    private static async Task ResyncAsync(OperatorWithFakes op, params string[] names)
    {
        var controller = (Controller<V1Alpha1AppAlert>)op.Manager.Controllers.Single(c => c.Name == AppAlertReconciler.ControllerName);
        var target = Reconciles(op.Manager) + names.Length;
        foreach (var name in names)
        {
            controller.Queue.Add(new Runtime.Reconcile.ObjectKey(op.Namespace, name));
        }

        await Eventually.UntilAsync(() => Task.FromResult(Reconciles(op.Manager) >= target), "the requested reconciles");
    }

    private static double Reconciles(Manager manager) =>
        new[] { ReconcileResultLabels.Success, ReconcileResultLabels.Error, ReconcileResultLabels.Requeue, ReconcileResultLabels.RequeueAfter }
            .Sum(r => manager.Metrics.ReconcileTotal.WithLabels(AppAlertReconciler.ControllerName, r).Value);
}

using System.Diagnostics;
using System.Globalization;
using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Grafana;
using AlertQuery = MetricsOperator.Crds.AlertQuery;

// Alert sync benchmark: N AppAlerts × R rules against the in-process Grafana 11.4 fake (contract-checked), driving the
// AppAlert controller's Grafana path (mapping, snapshot, diff, POST-then-PUT, read-back) directly, without an API server.
//   dotnet run -c Release --project bench/Operator.Bench -- [appalerts=1000] [rules=5] [workers=8] [edits=200]
var args2 = Environment.GetCommandLineArgs().Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
var alertCount = args2.ElementAtOrDefault(0) is > 0 and var n ? n : 1000;
var ruleCount = args2.ElementAtOrDefault(1) is > 0 and var r ? r : 5;
var workers = args2.ElementAtOrDefault(2) is > 0 and var w ? w : 8;
var edits = args2.ElementAtOrDefault(3) is > 0 and var e ? e : 200;

await using var grafana = await GrafanaFake.StartNewAsync();
var facts = new StackAlertingFacts("influxdb-influxql", "influxdb-flux", ["slack"], "slack");
var alerts = Enumerable.Range(0, alertCount).Select(i => Alert(i, ruleCount)).ToList();
if (alerts.FirstOrDefault(a => DuplicateTitles.Find(a, alerts).Count > 0) is { } clashing)
{
    throw new InvalidOperationException($"AppAlert {clashing.Metadata.NamespaceProperty}/{clashing.Metadata.Name} shares a rule title within its app: Grafana would refuse it");
}

using var client = new GrafanaClient(grafana.BaseUri, GrafanaCredentials.Basic(grafana.AdminUser, grafana.AdminPassword));
var session = new StackGrafana(client);

Console.WriteLine($"Alert sync benchmark: {alertCount} AppAlerts x {ruleCount} rules, {workers} workers, Grafana fake {grafana.Url}");

// 1. Full sync from an empty Grafana.
grafana.Requests.Reset();
var clock = Stopwatch.StartNew();
await ForEachAsync(alerts, a => SyncAsync(session, a, facts));
var fullSync = clock.Elapsed;
var fullRequests = grafana.Requests.Total;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full sync:            {fullSync.TotalSeconds:F2} s, {fullRequests} Grafana requests ({(double)fullRequests / alertCount:F2} per AppAlert), {grafana.State.RuleCount} rules stored"));
Console.WriteLine("  requests: " + string.Join(", ", grafana.Requests.Snapshot().Select(kv => $"{kv.Key} = {kv.Value}")));

// 2. No-op resync: the snapshot window has passed (it is listed again once), nothing changed.
session.Invalidate();
grafana.Requests.Reset();
clock.Restart();
await session.SnapshotAsync(CancellationToken.None);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  listing {grafana.State.RuleCount} rules: {clock.Elapsed.TotalMilliseconds:F0} ms"));
var writesBefore = 0;
await ForEachAsync(alerts, async a => Interlocked.Add(ref writesBefore, (await SyncAsync(session, a, facts)).Writes));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"no-op resync:         {clock.Elapsed.TotalMilliseconds:F0} ms, {grafana.Requests.Total} Grafana requests in total, {grafana.Requests.Writes} writes"));

// 3. The same resync inside the snapshot window: no request at all.
grafana.Requests.Reset();
await ForEachAsync(alerts, a => SyncAsync(session, a, facts));
Console.WriteLine($"resync within window: {grafana.Requests.Total} Grafana requests, {grafana.Requests.Writes} writes");

// 4. Drift: a rule edited in the UI is put back at the next listing, with one group PUT.
var drifted = grafana.State.Rules[7]["uid"]!.GetValue<string>();
grafana.State.MutateRule(drifted, rule => rule["title"] = "edited in the UI");
session.Invalidate();
grafana.Requests.Reset();
await ForEachAsync(alerts, a => SyncAsync(session, a, facts));
Console.WriteLine($"drift repair:         {grafana.Requests.Total} Grafana requests, {grafana.Requests.Writes} writes (1 rule drifted)");

// 5. Edit latency: change one AppAlert's threshold and time until Grafana holds it (snapshot warm, as between resyncs).
var latencies = new List<double>();
var random = new Random(42);
for (var i = 0; i < edits; i++)
{
    var alert = alerts[random.Next(alerts.Count)];
    alert.Spec.Rules[0].Condition!.Threshold += 1;
    clock.Restart();
    var result = await SyncAsync(session, alert, facts);
    latencies.Add(clock.Elapsed.TotalMilliseconds);
    if (result.Writes == 0)
    {
        throw new InvalidOperationException("an edit made no write");
    }
}

latencies.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"edit to Grafana:      p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms over {edits} edits (POST-free: 1 PUT + 1 GET each)"));
grafana.Contract.AssertNoContractViolations();
Console.WriteLine("contract violations:  0");
return 0;

static async Task<RuleGroupSyncResult> SyncAsync(StackGrafana session, V1Alpha1AppAlert alert, StackAlertingFacts facts)
{
    var plan = AppAlertMapping.Plan(alert, facts);
    return await RuleGroupSync.ApplyAsync(session, plan.Group!, null, CancellationToken.None);
}

async Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> body) =>
    await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = workers }, async (item, _) => await body(item));

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static V1Alpha1AppAlert Alert(int i, int rules) => new()
{
    Metadata = new V1ObjectMeta { Name = $"alerts-{i % 10}", NamespaceProperty = $"app{i / 10:D3}", Generation = 1 },
    Spec = new AppAlertSpec
    {
        Interval = "1m",
        Rules = [.. Enumerable.Range(0, rules).Select(j => new AlertRule
        {
            // Unique within the app (its namespace here): Grafana 11.4 refuses a title twice in a folder.
            Name = $"alerts-{i % 10} rule {j}",
            Query = new AlertQuery { Language = j % 2 == 0 ? QueryLanguage.InfluxQL : QueryLanguage.Flux, Text = j % 2 == 0 ? $"SELECT mean(\"v{j}\") FROM \"metrics\".\"autogen\".\"m\" WHERE $timeFilter" : $"from(bucket: \"metrics\") |> range(start: v.timeRangeStart) |> filter(fn: (r) => r._field == \"v{j}\")" },
            Condition = new AlertCondition { Reducer = Reducer.Mean, Operator = ThresholdOperator.GreaterThan, Threshold = j * 10 },
            Summary = $"rule {j} of alert {i}",
            Labels = new Dictionary<string, string> { ["team"] = "square" },
        })],
    },
};

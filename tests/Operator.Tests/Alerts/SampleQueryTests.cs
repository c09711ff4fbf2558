using System.Globalization;
using System.Text;
using System.Text.Json;
using MetricsOperator.Alerts.QueryChecks;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.TestSupport;
using MetricsOperator.Tests.Generation;

namespace MetricsOperator.Tests.Alerts;

/// <summary>
/// The alert samples' InfluxQL against a real InfluxQL engine (Debian's influxd 1.6.7, <see cref="RealInflux"/>), over
/// points shaped exactly as the two write paths store the real events the samples name: Gafaelfawr's and mobu's Safir
/// events through Kafka and the stack's Telegraf (docs/kafka.md: measurement <c>&lt;topic&gt;.&lt;event&gt;</c>,
/// <c>avro.tags</c> as tags, Safir's <c>id</c> a string field, a <c>timedelta</c> float seconds, a null field absent),
/// and mobu's event through the Python client (docs/point-shape.md: measurement <c>&lt;app&gt;.&lt;event&gt;</c>, tags
/// <c>app</c>, <c>environment</c>, <c>host</c> and those named in <c>tags=</c>, every other field). Each query runs as
/// the sample writes it, with <c>$timeFilter</c> as a fixed hour and the database name of the test's own, and returns
/// the numbers the rule's expressions then compare. Flux cannot run here (no InfluxDB 2 binary): the mobu sample's
/// Flux rule is checked against the InfluxDB fake, which answers InfluxDB 2's <c>/api/v2/query</c> for the
/// from/range/filter the rule uses and is checked against InfluxDB's contract.
/// </summary>
public sealed class SampleQueryTests(RealInflux influx) : IClassFixture<RealInflux>
{
    private const string GafaelfawrEvents = "lsst.square.app-metrics.events.gafaelfawr";
    private const string MobuExecutions = "lsst.square.app-metrics.events.mobu.notebook_execution";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static V1Alpha1AppAlert Sample(string app) => JsonSerializer.Deserialize<V1Alpha1AppAlert>(
        YamlToJson.Parse(File.ReadAllText(RepoPaths.InRepo("config", "samples", $"metrics.lsst.io_v1alpha1_appalert_{app}.yaml")))!.ToJsonString())!;

    /// <summary>The text of query <paramref name="query"/> of rule <paramref name="rule"/> (the short form's is "A").</summary>
    private static string Query(V1Alpha1AppAlert alert, string rule, string query = "A")
    {
        var r = alert.Spec.Rules.Single(x => x.Name == rule);
        return r.Query is { } shortForm && query == "A" ? shortForm.Text : r.Queries!.Single(q => q.Name == query).Text;
    }

    private static IEnumerable<(string Rule, string Query, QueryLanguage Language)> AllQueries(V1Alpha1AppAlert alert) =>
        alert.Spec.Rules.SelectMany(r => r.Query is { } q ? [(r.Name, "A", q.Language)] : r.Queries!.Select(q => (r.Name, q.Name, q.Language)));

    private static long Ns(double minutes) => (Start.ToUnixTimeMilliseconds() * 1_000_000) + (long)(minutes * 60_000_000_000);

    private async Task<string> WriteAsync(IEnumerable<string> lines)
    {
        var db = await influx.CreateDatabaseAsync();
        var (status, text) = await influx.WriteAsync(db, Encoding.UTF8.GetBytes(string.Join('\n', lines)), null);
        status.ShouldBe(204, text);
        return db;
    }

    // The sample's text, reading the test's database, over [Start, Start + hours).
    private async Task<List<Dictionary<string, JsonElement>>> RunAsync(string db, string text, int hours = 1, string? measurement = null)
    {
        var filter = string.Create(CultureInfo.InvariantCulture, $"time >= '{Start:yyyy-MM-ddTHH:mm:ssZ}' AND time < '{Start.AddHours(hours):yyyy-MM-ddTHH:mm:ssZ}'");
        var query = text.Replace("\"metrics\".", $"\"{db}\".", StringComparison.Ordinal).Replace("$timeFilter", filter, StringComparison.Ordinal);
        return await influx.RowsAsync(db, measurement is null ? query : query.Replace(MobuExecutions, measurement, StringComparison.Ordinal));
    }

    /// <summary>
    /// Gafaelfawr's events as the Kafka consumer of docs/kafka.md stores them (tags application, username; fields id and
    /// the event's own): 10 login_attempt, 3 login_failure (no field of their own: only Safir's id), 21 login_success,
    /// one with elapsed None (so without the field) and 20 with elapsed 5, 10, … 100 s.
    /// </summary>
    private static IEnumerable<string> GafaelfawrKafkaPoints()
    {
        for (var i = 0; i < 10; i++)
        {
            yield return $"{GafaelfawrEvents}.login_attempt,application=gafaelfawr id=\"a{i}\" {Ns(i * 5)}";
        }

        for (var i = 0; i < 3; i++)
        {
            yield return $"{GafaelfawrEvents}.login_failure,application=gafaelfawr id=\"f{i}\" {Ns((i * 5) + 1)}";
        }

        yield return $"{GafaelfawrEvents}.login_success,application=gafaelfawr,username=someone id=\"s-none\" {Ns(2)}";
        for (var i = 1; i <= 20; i++)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{GafaelfawrEvents}.login_success,application=gafaelfawr,username=user{i % 4} id=\"s{i}\",elapsed={i * 5.0:R} {Ns(i * 2.5)}");
        }
    }

    [Fact]
    public async Task The_gafaelfawr_sample_counts_failures_and_attempts_and_reads_the_login_p95()
    {
        var sample = Sample("gafaelfawr");
        var db = await WriteAsync(GafaelfawrKafkaPoints());

        (await RunAsync(db, Query(sample, "Login failures"))).ShouldHaveSingleItem().WholeNumber("count").ShouldBe(3);
        (await RunAsync(db, Query(sample, "Login failure ratio", "failed"))).ShouldHaveSingleItem().WholeNumber("count").ShouldBe(3);
        (await RunAsync(db, Query(sample, "Login failure ratio", "attempts"))).ShouldHaveSingleItem().WholeNumber("count").ShouldBe(10);
        // InfluxDB's percentile is the nearest rank, floor(20 × 0.95 + 0.5) = 19th of the 20 values: 95 s; the null is left out.
        (await RunAsync(db, Query(sample, "Slow logins"))).ShouldHaveSingleItem().RealNumber("percentile").ShouldBe(95.0);
        AllQueries(sample).Count().ShouldBe(4, "every query of the sample is run above");
    }

    /// <summary>
    /// mobu's notebook_execution events in the first hour: 10 executions of two businesses, 3 failed (one of them with
    /// duration None, so without the field), one of 1900 s; none in the second hour.
    /// </summary>
    private static IEnumerable<(double Minute, string Business, double? Duration, bool Success)> Executions()
    {
        yield return (1, "NotebookRunnerTutorials", 42.5, true);
        yield return (7, "NotebookRunnerTutorials", 40.0, true);
        yield return (13, "NotebookRunnerTutorials", null, false);
        yield return (19, "NotebookRunnerTutorials", 55.25, false);
        yield return (25, "NotebookRunnerTutorials", 41.0, true);
        yield return (31, "NotebookRunnerSystemTest", 1900.0, true);
        yield return (37, "NotebookRunnerSystemTest", 120.0, false);
        yield return (43, "NotebookRunnerSystemTest", 130.5, true);
        yield return (49, "NotebookRunnerSystemTest", 125.0, true);
        yield return (55, "NotebookRunnerSystemTest", 118.0, true);
    }

    private static string Fields((double Minute, string Business, double? Duration, bool Success) e) =>
        (e.Duration is { } d ? string.Create(CultureInfo.InvariantCulture, $"duration={d:R},") : "") + $"success={(e.Success ? "true" : "false")}";

    // The Kafka consumer "mobu" of docs/kafka.md: tags application, username, business; fields duration and success only.
    private static IEnumerable<string> MobuKafkaPoints() => Executions().Select(e =>
        $"{MobuExecutions},application=mobu,business={e.Business},username=bot-mobu-user01 {Fields(e)} {Ns(e.Minute)}");

    // The Python client, create_publisher("notebook_execution", NotebookExecution, tags=("business",)): tags app,
    // environment, host, business; every other field of the event, strings quoted.
    private const string MobuPythonMeasurement = "mobu.notebook_execution";

    private static IEnumerable<string> MobuPythonClientPoints() => Executions().Select(e =>
        $"{MobuPythonMeasurement},app=mobu,environment=idfdev,host=mobu-7d9f8c-x2x4q,business={e.Business} "
        + $"flock=\"tutorials\",username=\"bot-mobu-user01\",notebook=\"tutorial.ipynb\",repo=\"https://github.com/lsst/tutorial-notebooks\","
        + $"repo_ref=\"main\",repo_hash=\"3f2a9c1\",{Fields(e)} {Ns(e.Minute)}");

    [Theory]
    [InlineData("kafka")]
    [InlineData("python-client")]
    public async Task The_mobu_sample_counts_failed_runs_and_finds_the_hung_one_through_either_path(string path)
    {
        var sample = Sample("mobu");
        var (db, measurement) = path == "kafka"
            ? (await WriteAsync(MobuKafkaPoints()), (string?)null)
            : (await WriteAsync(MobuPythonClientPoints()), MobuPythonMeasurement);

        // "Notebook executions failing": 3 of 10, a ratio of 0.3 against the threshold 0.2.
        (await RunAsync(db, Query(sample, "Notebook executions failing", "failed"), measurement: measurement)).ShouldHaveSingleItem().WholeNumber("count").ShouldBe(3);
        (await RunAsync(db, Query(sample, "Notebook executions failing", "runs"), measurement: measurement)).ShouldHaveSingleItem().WholeNumber("count").ShouldBe(10);

        // "Notebook executions stopped or hang", over its 2 hours: runs per 30 min (the classic condition's sum is 10,
        // not below 1) and the longest run per business (1900 s is above 1800: the second condition fires).
        var runs = await RunAsync(db, Query(sample, "Notebook executions stopped or hang", "runs"), hours: 2, measurement: measurement);
        runs.Select(r => r.WholeNumber("count")).ShouldBe([5L, 5L, 0L, 0L]);
        var longest = await RunAsync(db, Query(sample, "Notebook executions stopped or hang", "longest"), hours: 2, measurement: measurement);
        longest.ToDictionary(r => r.Text("business")!, r => r.RealNumber("max")).ShouldBe(
            new Dictionary<string, double> { ["NotebookRunnerSystemTest"] = 1900.0, ["NotebookRunnerTutorials"] = 55.25 }, ignoreOrder: true);

        AllQueries(sample).Count(q => q.Language == QueryLanguage.InfluxQL).ShouldBe(4, "every InfluxQL query of the sample is run above");
    }

    /// <summary>
    /// The mobu sample's Flux rule through the query check's <c>/api/v2/query</c> path against the InfluxDB fake (Flux
    /// cannot run here): it finds a notebook_execution duration written as the Kafka path writes it, and nothing when
    /// only another event of mobu's is there. What Grafana then does with the series (max, above 600) is not run.
    /// </summary>
    [ContractFact("influxdb/")]
    public async Task The_mobu_samples_flux_rule_finds_notebook_durations_in_the_fake()
    {
        var flux = AllQueries(Sample("mobu")).Where(q => q.Language == QueryLanguage.Flux).ShouldHaveSingleItem();
        var text = Query(Sample("mobu"), flux.Rule, flux.Query);
        await using var fake = await InfluxFake.StartNewAsync();
        var onboarding = fake.Onboard();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var checker = new InfluxQueryChecker(http, fake.BaseUri, "metrics", "lsst", onboarding.Token);
        using var write = fake.CreateClient();
        write.DefaultRequestHeaders.Authorization = new("Token", onboarding.Token);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        (await write.PostAsync("api/v2/write?org=lsst&bucket=metrics&precision=s", new StringContent(
            $"lsst.square.app-metrics.events.mobu.nublado_spawn_lab,application=mobu,business=NubladoPythonLoop,username=bot-mobu-user02 duration=12.5,success=true {now}"))).EnsureSuccessStatusCode();
        (await checker.CheckAsync(QueryLanguage.Flux, text, CancellationToken.None)).ShouldBe(QueryVerdict.Empty);

        (await write.PostAsync("api/v2/write?org=lsst&bucket=metrics&precision=s", new StringContent(
            $"{MobuExecutions},application=mobu,business=NotebookRunnerTutorials,username=bot-mobu-user01 duration=720.5,success=true {now}"))).EnsureSuccessStatusCode();
        (await checker.CheckAsync(QueryLanguage.Flux, text, CancellationToken.None)).ShouldBe(QueryVerdict.WithData);
        fake.Contract.AssertNoContractViolations();
    }
}

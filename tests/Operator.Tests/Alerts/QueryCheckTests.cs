using System.Text;
using System.Text.Json;
using MetricsOperator.Tests.Generation;
using MetricsOperator.Alerts;
using MetricsOperator.Alerts.QueryChecks;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Alerts;

/// <summary>
/// The query check against a real InfluxQL engine: Debian's influxd 1.6.7 (the same <c>/query</c> endpoint and parser
/// InfluxDB 2 serves for InfluxQL), started on a free loopback port. Flux cannot run here (no InfluxDB 2 binary): its
/// path is checked against the InfluxDB fake, which answers as InfluxDB 2 does and is checked against its contract.
/// </summary>
public sealed class QueryCheckTests(RealInflux influx) : IClassFixture<RealInflux>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private async Task<(InfluxQueryChecker Checker, string Db)> CheckerAsync()
    {
        var db = await influx.CreateDatabaseAsync();
        return (new InfluxQueryChecker(Http, new Uri(influx.Url + "/"), db, "lsst", "read-token-not-logged"), db);
    }

    private async Task WriteNowAsync(string db, params string[] lines)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var body = string.Join('\n', lines.Select((line, i) => $"{line} {now - (i * 1_000_000_000L)}"));
        var (status, text) = await influx.WriteAsync(db, Encoding.UTF8.GetBytes(body), null);
        status.ShouldBe(204, text);
    }

    [Fact]
    public async Task A_query_with_a_syntax_error_is_refused_with_influxdbs_own_message()
    {
        var (checker, _) = await CheckerAsync();

        var verdict = await checker.CheckAsync(QueryLanguage.InfluxQL, "SELECT count(\"id\") FRM \"login\" WHERE $timeFilter", CancellationToken.None);

        verdict.Outcome.ShouldBe(QueryOutcome.Invalid);
        verdict.Message.ShouldBe("error parsing query: found FRM, expected FROM at line 1, char 20");
    }

    [Fact]
    public async Task A_statement_influxdb_cannot_run_is_refused_with_its_message()
    {
        var (checker, _) = await CheckerAsync();

        var verdict = await checker.CheckAsync(QueryLanguage.InfluxQL, "SELECT \"id\", count(\"id\") FROM \"login\" WHERE $timeFilter", CancellationToken.None);

        verdict.Outcome.ShouldBe(QueryOutcome.Invalid);
        verdict.Message.ShouldBe("mixing aggregate and non-aggregate queries is not supported");
    }

    [Fact]
    public async Task A_query_that_parses_but_finds_nothing_is_no_data_not_an_error()
    {
        var (checker, _) = await CheckerAsync();

        var verdict = await checker.CheckAsync(QueryLanguage.InfluxQL, "SELECT mean(\"elapsed\") FROM \"nothing.here\" WHERE $timeFilter GROUP BY time($__interval)", CancellationToken.None);

        verdict.ShouldBe(QueryVerdict.Empty);
    }

    [Fact]
    public async Task A_query_over_recent_events_finds_data()
    {
        var (checker, db) = await CheckerAsync();
        await WriteNowAsync(db, "lsst.square.app-metrics.events.gafaelfawr.login_success,application=gafaelfawr,username=a elapsed=0.5");

        var verdict = await checker.CheckAsync(QueryLanguage.InfluxQL,
            $"SELECT count(\"elapsed\") FROM \"{db}\".\"autogen\".\"lsst.square.app-metrics.events.gafaelfawr.login_success\" WHERE $timeFilter", CancellationToken.None);

        verdict.ShouldBe(QueryVerdict.WithData);
    }

    [Fact]
    public async Task The_cache_asks_influxdb_once_per_query_text()
    {
        var (checker, _) = await CheckerAsync();
        var cache = new QueryVerdictCache();
        const string Broken = "SELEC 1";

        var first = await cache.GetAsync(checker, QueryLanguage.InfluxQL, Broken, CancellationToken.None);
        var again = await cache.GetAsync(checker, QueryLanguage.InfluxQL, Broken, CancellationToken.None);
        await cache.GetAsync(checker, QueryLanguage.InfluxQL, "SELECT * FROM \"m\" WHERE $timeFilter", CancellationToken.None);

        again.ShouldBe(first);
        first.Outcome.ShouldBe(QueryOutcome.Invalid);
        cache.Requests.ShouldBe(2);
    }

    [Fact]
    public async Task The_cache_keeps_verdicts_apart_by_influxdb_language_and_every_character_of_the_text()
    {
        var (one, db) = await CheckerAsync();
        var (other, _) = await CheckerAsync();
        var cache = new QueryVerdictCache();
        // Longer than the key's stack buffer: the text is hashed from a rented one.
        var filler = new string('x', 3000);
        var longQuery = $"SELECT count(\"id\") FROM \"{db}\".\"autogen\".\"{filler}\" WHERE $timeFilter";
        var longBroken = longQuery.Replace("SELECT", "SELEC", StringComparison.Ordinal);

        var texts = new[] { "SELEC 1", "SELEC 2", longQuery, longBroken, longQuery[..^1] + "R" };
        foreach (var text in texts)
        {
            await cache.GetAsync(one, QueryLanguage.InfluxQL, text, CancellationToken.None);
        }

        cache.Requests.ShouldBe(texts.Length, "each text is its own entry");
        foreach (var text in texts)
        {
            await cache.GetAsync(one, QueryLanguage.InfluxQL, text, CancellationToken.None);
        }

        cache.Requests.ShouldBe(texts.Length, "and each is found again");
        (await cache.GetAsync(one, QueryLanguage.InfluxQL, longQuery, CancellationToken.None)).Outcome.ShouldBe(QueryOutcome.NoData);
        (await cache.GetAsync(one, QueryLanguage.InfluxQL, longBroken, CancellationToken.None)).Outcome.ShouldBe(QueryOutcome.Invalid);
        await cache.GetAsync(other, QueryLanguage.InfluxQL, "SELEC 1", CancellationToken.None);
        cache.Requests.ShouldBe(texts.Length + 1, "another bucket is another InfluxDB target");
        await cache.GetAsync(one.Target, QueryLanguage.Flux, "SELEC 1", _ => Task.FromResult(one), CancellationToken.None);
        cache.Requests.ShouldBe(texts.Length + 2, "the same text in another language is another query");
    }

    [Fact]
    public async Task No_data_is_asked_again_after_the_recheck_time_data_and_refusals_are_kept()
    {
        var (checker, db) = await CheckerAsync();
        var clock = new MetricsOperator.Tests.Backup.ManualClock(DateTimeOffset.UtcNow);
        var cache = new QueryVerdictCache(clock, noDataRecheck: TimeSpan.FromMinutes(30));
        var quiet = $"SELECT count(\"id\") FROM \"{db}\".\"autogen\".\"later\" WHERE $timeFilter";

        var first = await cache.GetAsync(checker, QueryLanguage.InfluxQL, quiet, CancellationToken.None);
        await cache.GetAsync(checker, QueryLanguage.InfluxQL, "SELEC 1", CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(29));
        (await cache.GetAsync(checker, QueryLanguage.InfluxQL, quiet, CancellationToken.None)).ShouldBeSameAs(first);
        await WriteNowAsync(db, "later id=\"1\"");
        clock.Advance(TimeSpan.FromMinutes(1));
        var later = await cache.GetAsync(checker, QueryLanguage.InfluxQL, quiet, CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(1));
        await cache.GetAsync(checker, QueryLanguage.InfluxQL, quiet, CancellationToken.None);
        await cache.GetAsync(checker, QueryLanguage.InfluxQL, "SELEC 1", CancellationToken.None);

        first.Outcome.ShouldBe(QueryOutcome.NoData);
        first.CheckedAt.ShouldNotBeNull();
        cache.NoDataRecheckAt(first).ShouldBe(first.CheckedAt + TimeSpan.FromMinutes(30));
        later.Outcome.ShouldBe(QueryOutcome.Data);
        later.CheckedAt.ShouldBe(clock.GetUtcNow() - TimeSpan.FromDays(1));
        cache.Requests.ShouldBe(3, "no data twice (the second after 30 minutes), the refusal once; data and the refusal are kept");
    }

    [Fact]
    public void Status_says_per_rule_what_influxdb_found_and_when()
    {
        var at = new DateTimeOffset(2026, 12, 2, 7, 10, 0, TimeSpan.Zero);
        var found = new QueryCheckResult(
            [new RuleProblem("Broken", "spec.rules[2].query.text", "InfluxDB refused the InfluxQL query: failed to parse query: x")],
            new Dictionary<string, IReadOnlyList<string>> { ["Quiet"] = ["A", "B"] })
        {
            CheckedAt = new Dictionary<string, DateTimeOffset> { ["Quiet"] = at, ["Busy"] = at.AddMinutes(-1), ["Broken"] = at },
        };

        QueryCheckStatus.ForRule(found, "Quiet").ShouldBe("no data in the last 5m (queries A, B) when checked at 2026-12-02T07:10:00Z");
        QueryCheckStatus.ForRule(found, "Busy").ShouldBe("data in the last 5m when checked at 2026-12-02T07:09:00Z");
        QueryCheckStatus.ForRule(found, "Broken").ShouldBe("refused: spec.rules[2].query.text: InfluxDB refused the InfluxQL query: failed to parse query: x");
        QueryCheckStatus.ForRule(found, "NotWritten").ShouldBeNull();
        QueryCheckStatus.ReadySuffix(found).ShouldBeEmpty();
        var down = QueryCheckResult.Unavailable("InfluxDB at http://influxdb:8086/ answered 503 to the query check", at, at.AddMinutes(1));
        QueryCheckStatus.ForRule(down, "Busy").ShouldBe("not checked since 2026-12-02T07:10:00Z: InfluxDB at http://influxdb:8086/ answered 503 to the query check; asked again until InfluxDB answers");
        QueryCheckStatus.ReadySuffix(down).ShouldBe("; synced without the query check since 2026-12-02T07:10:00Z (InfluxDB at http://influxdb:8086/ answered 503 to the query check)");
        // The next recheck fails too: status reads the same, so an outage does not rewrite every AppAlert once per recheck.
        var stillDown = QueryCheckResult.Unavailable("InfluxDB at http://influxdb:8086/ answered 503 to the query check", at, at.AddMinutes(2));
        QueryCheckStatus.ForRule(stillDown, "Busy").ShouldBe(QueryCheckStatus.ForRule(down, "Busy"));
        QueryCheckStatus.ReadySuffix(stillDown).ShouldBe(QueryCheckStatus.ReadySuffix(down));
        QueryCheckStatus.ForRule(QueryCheckResult.Off, "Busy").ShouldBeNull();
    }

    [Fact]
    public async Task An_influxdb_2_parse_error_is_read_from_its_message()
    {
        await using var fake = await InfluxFake.StartNewAsync(new Uri(influx.Url));
        var onboarding = fake.Onboard(bucket: "parse2");
        var checker = new InfluxQueryChecker(Http, fake.BaseUri, "parse2", "lsst", onboarding.Token);

        var verdict = await checker.CheckAsync(QueryLanguage.InfluxQL, "SELECT count(\"id\") FRM \"login\" WHERE $timeFilter", CancellationToken.None);

        verdict.ShouldBe(new QueryVerdict(QueryOutcome.Invalid, "failed to parse query: found FRM, expected FROM at line 1, char 20"));
    }

    [Fact]
    public async Task An_influxdb_that_does_not_answer_gives_no_verdict()
    {
        var checker = new InfluxQueryChecker(Http, new Uri("http://127.0.0.1:1/"), "metrics", "lsst", "t");

        await Should.ThrowAsync<QueryCheckUnavailableException>(() => checker.CheckAsync(QueryLanguage.InfluxQL, "SELECT 1", CancellationToken.None));
    }

    [Fact]
    public async Task An_appalert_with_a_broken_query_is_refused_naming_the_rule_and_quoting_influxdb()
    {
        var (checker, db) = await CheckerAsync();
        await WriteNowAsync(db, "lsst.square.app-metrics.events.gafaelfawr.login_failure,application=gafaelfawr id=\"x\"");
        var good = AlertSamples.Rule("Failures", text: $"SELECT count(\"id\") FROM \"{db}\".\"autogen\".\"lsst.square.app-metrics.events.gafaelfawr.login_failure\" WHERE $timeFilter");
        var quiet = AlertSamples.Rule("Quiet", text: "SELECT count(\"id\") FROM \"none.yet\" WHERE $timeFilter");
        var broken = AlertSamples.Rule("Broken", text: "SELECT count(\"id\" FROM \"x\" WHERE $timeFilter");
        var alert = AlertSamples.Alert("gafaelfawr", "gafaelfawr", good, quiet, broken);
        var plan = AppAlertMapping.Plan(alert, AlertSamples.BothDatasources);

        var result = await AppAlertQueryCheck.CheckAsync(alert, plan, checker, new QueryVerdictCache(), CancellationToken.None);

        var refusal = result.Refused.ShouldHaveSingleItem();
        refusal.Rule.ShouldBe("Broken");
        refusal.Field.ShouldBe("spec.rules[2].query.text");
        refusal.Message.ShouldBe("InfluxDB refused the InfluxQL query: error parsing query: found FROM, expected ) at line 1, char 19");
        result.WithoutData.Keys.ShouldBe(["Quiet"]);
        result.WithoutData["Quiet"].ShouldBe(["A"]);
        result.Message.ShouldNotContain("read-token-not-logged");
    }

    [Fact]
    public async Task An_appalerts_queries_are_asked_at_once_and_their_verdicts_reported_in_rule_order()
    {
        // Each verdict waits until all five were asked: one after another, the first would never finish.
        var rules = Enumerable.Range(0, 5).Select(i => AlertSamples.Rule($"Rule{i}", text: $"SELECT count(\"id\") FROM \"m{i}\" WHERE $timeFilter")).ToArray();
        var alert = AlertSamples.Alert("gafaelfawr", "gafaelfawr", rules);
        var plan = AppAlertMapping.Plan(alert, AlertSamples.BothDatasources);
        var allAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var asked = 0;
        async Task<QueryVerdict> Verdict(QueryLanguage language, string text, CancellationToken ct)
        {
            if (Interlocked.Increment(ref asked) == rules.Length)
            {
                allAsked.SetResult();
            }

            await allAsked.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            return text.Contains("m1", StringComparison.Ordinal) || text.Contains("m3", StringComparison.Ordinal)
                ? new QueryVerdict(QueryOutcome.Invalid, $"refused {text[^22..]}")
                : new QueryVerdict(QueryOutcome.NoData, null);
        }

        var result = await AppAlertQueryCheck.CheckAsync(alert, plan, Verdict, new QueryVerdictCache(), CancellationToken.None);

        asked.ShouldBe(5);
        result.Refused.Select(r => (r.Rule, r.Field)).ShouldBe([("Rule1", "spec.rules[1].query.text"), ("Rule3", "spec.rules[3].query.text")]);
        result.WithoutData.Keys.ShouldBe(["Rule0", "Rule2", "Rule4"]);
    }

    /// <summary>
    /// docs/alerts.md's first hard case (the seed technote's "count per window across restarts"): the clients write one
    /// point per measurement (docs/point-shape.md), so a counter's points are increments and sum() per window counts
    /// events whatever restarts happened between them — no DIFFERENCE(), no reset to undo.
    /// </summary>
    [Fact]
    public async Task The_documented_count_per_window_is_right_across_a_restart()
    {
        var db = await influx.CreateDatabaseAsync();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() * 1_000_000_000;
        // Pod a counts 3 logins, restarts as pod b, which counts 2 more in the same window and 4 in the next.
        long[] seconds = [10, 70, 130, 200, 250, 310, 320, 330, 340];
        string[] hosts = ["a", "a", "a", "b", "b", "b", "b", "b", "b"];
        var lines = seconds.Select((s, i) => $"frontend.login.attempts,app=gafaelfawr,host=gafaelfawr-{hosts[i]} value=1i {start + (s * 1_000_000_000)}");
        (await influx.WriteAsync(db, Encoding.UTF8.GetBytes(string.Join('\n', lines)), null)).Status.ShouldBe(204);

        var rows = await influx.RowsAsync(db, DocumentedCountPerWindow.Replace("$timeFilter", "time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:10:00Z'", StringComparison.Ordinal)
            .Replace("$__interval", "5m", StringComparison.Ordinal));

        rows.Select(r => r.WholeNumber("attempts")).ShouldBe([5L, 4L]);
    }

    /// <summary>docs/alerts.md's second hard case: p95 straight from the raw values each point carries.</summary>
    [Fact]
    public async Task The_documented_p95_is_read_from_raw_values()
    {
        var db = await influx.CreateDatabaseAsync();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() * 1_000_000_000;
        var lines = Enumerable.Range(1, 100).Select(i => $"frontend.request.duration,app=gafaelfawr,host=gafaelfawr-a value={i / 100.0:R} {start + (i * 1_000_000_000L)}");
        (await influx.WriteAsync(db, Encoding.UTF8.GetBytes(string.Join('\n', lines)), null)).Status.ShouldBe(204);

        var rows = await influx.RowsAsync(db, DocumentedP95.Replace("$timeFilter", "time >= '2026-01-01T00:00:00Z' AND time < '2026-01-01T00:10:00Z'", StringComparison.Ordinal));

        rows.ShouldHaveSingleItem().RealNumber("p95").ShouldBe(0.95);
    }

    [Fact]
    public async Task The_documented_queries_pass_the_check()
    {
        var (checker, _) = await CheckerAsync();

        (await checker.CheckAsync(QueryLanguage.InfluxQL, DocumentedCountPerWindow, CancellationToken.None)).Outcome.ShouldBe(QueryOutcome.NoData);
        (await checker.CheckAsync(QueryLanguage.InfluxQL, DocumentedP95, CancellationToken.None)).Outcome.ShouldBe(QueryOutcome.NoData);
    }

    // As in docs/alerts.md ("Two hard cases"); The_documented_queries_are_the_tested_ones keeps the two equal.
    internal const string DocumentedCountPerWindow =
        "SELECT sum(\"value\") AS \"attempts\" FROM \"frontend.login.attempts\" WHERE \"app\" = 'gafaelfawr' AND $timeFilter GROUP BY time($__interval) fill(none)";

    internal const string DocumentedP95 =
        "SELECT percentile(\"value\", 95) AS \"p95\" FROM \"frontend.request.duration\" WHERE \"app\" = 'gafaelfawr' AND $timeFilter";

    [Fact]
    public void The_documented_queries_are_the_tested_ones()
    {
        var docs = File.ReadAllText(RepoPaths.InRepo("docs", "alerts.md"));
        docs.ShouldContain(DocumentedCountPerWindow);
        docs.ShouldContain(DocumentedP95);
    }

    /// <summary>
    /// The gafaelfawr sample's queries, run against events shaped as the Kafka path stores Gafaelfawr's (docs/kafka.md):
    /// each passes the check and the failure count is the number of login_failure events written.
    /// </summary>
    [Fact]
    public async Task The_sample_queries_run_against_gafaelfawrs_events()
    {
        var (checker, db) = await CheckerAsync();
        const string Events = "lsst.square.app-metrics.events.gafaelfawr";
        await WriteNowAsync(db,
            $"{Events}.login_attempt,application=gafaelfawr id=\"1\",timestamp=1i",
            $"{Events}.login_attempt,application=gafaelfawr id=\"2\",timestamp=1i",
            $"{Events}.login_failure,application=gafaelfawr id=\"3\",timestamp=1i",
            $"{Events}.login_success,application=gafaelfawr,username=someone id=\"4\",timestamp=1i,elapsed=1.5");
        var sample = JsonSerializer.Deserialize<V1Alpha1AppAlert>(YamlToJson.Parse(File.ReadAllText(RepoPaths.InRepo("config", "samples", "metrics.lsst.io_v1alpha1_appalert_gafaelfawr.yaml")))!.ToJsonString())!;
        var queries = sample.Spec.Rules.SelectMany(rule => AlertRuleQueries(rule)).Select(text => text.Replace("\"metrics\".", $"\"{db}\".", StringComparison.Ordinal)).ToList();

        queries.Count.ShouldBe(4);
        foreach (var query in queries)
        {
            (await checker.CheckAsync(QueryLanguage.InfluxQL, query, CancellationToken.None)).ShouldBe(QueryVerdict.WithData, query);
        }

        var failures = await influx.RowsAsync(db, QueryMacros.ForCheck(QueryLanguage.InfluxQL, queries[0]));
        failures.ShouldHaveSingleItem().WholeNumber("count").ShouldBe(1);
    }

    private static IEnumerable<string> AlertRuleQueries(AlertRule rule) =>
        rule.Query is { } query ? [query.Text] : rule.Queries!.Select(q => q.Text);

    [ContractFact("influxdb/")]
    public async Task Flux_is_checked_through_the_v2_query_api_against_the_fake()
    {
        await using var fake = await InfluxFake.StartNewAsync();
        var onboarding = fake.Onboard();
        using (var write = fake.CreateClient())
        {
            write.DefaultRequestHeaders.Authorization = new("Token", onboarding.Token);
            (await write.PostAsync("api/v2/write?org=lsst&bucket=metrics&precision=s",
                new StringContent($"lsst.square.app-metrics.events.mobu.nublado_spawn_lab,application=mobu duration=12.5 {DateTimeOffset.UtcNow.ToUnixTimeSeconds()}"))).EnsureSuccessStatusCode();
        }

        var checker = new InfluxQueryChecker(Http, fake.BaseUri, "metrics", "lsst", onboarding.Token);
        const string Spawns = """
            from(bucket: "metrics")
              |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
              |> filter(fn: (r) => r._measurement == "lsst.square.app-metrics.events.mobu.nublado_spawn_lab")
            """;

        (await checker.CheckAsync(QueryLanguage.Flux, Spawns, CancellationToken.None)).ShouldBe(QueryVerdict.WithData);
        (await checker.CheckAsync(QueryLanguage.Flux, Spawns.Replace("nublado_spawn_lab", "nothing", StringComparison.Ordinal), CancellationToken.None)).ShouldBe(QueryVerdict.Empty);
        var missing = await checker.CheckAsync(QueryLanguage.Flux, Spawns.Replace("\"metrics\"", "\"nope\"", StringComparison.Ordinal), CancellationToken.None);
        missing.Outcome.ShouldBe(QueryOutcome.Invalid);
        missing.Message.ShouldBe("failed to initialize execute state: could not find bucket \"nope\"");
        fake.Contract.AssertNoContractViolations();
    }
}

using MetricsOperator.TestSupport;
using System.Diagnostics.Metrics;
using Lsst.Metrics.Client.Tests.Support;

namespace Lsst.Metrics.Client.Tests;

/// <summary>
/// The client end to end (InfluxDB.Client, gzip, /api/v2/write) into the loopback listener, which relays every body to
/// a real InfluxDB 1.6.7; read back with InfluxQL. The same checks as the Python client's test_real_influxdb.py.
/// </summary>
public sealed class RealInfluxTests(RealInflux influx) : IClassFixture<RealInflux>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static readonly string[] Tricky =
        ["plain", "a,b", "a b", "a=b", "a\"b", "C:\\dir", "a\\,b", "a\\ b", "a\\=b", "x\\\\y", "π ß,=", "'single'", "#hash"];

    private async Task<(LoopbackInflux Relay, string Db)> RelayAsync()
    {
        var db = await influx.CreateDatabaseAsync();
        var relay = await LoopbackInflux.StartAsync();
        relay.RelayTo = influx;
        return (relay, db);
    }

    private static LsstMetricsOptions Options(LoopbackInflux relay, string db, string meters)
    {
        var options = TestOptions.For(relay.Url, meters);
        options.Bucket = db;
        options.Gzip = true;
        return options;
    }

    [Fact]
    public async Task Escaping_round_trips_exactly()
    {
        var (relay, db) = await RelayAsync();
        await using var _ = relay;
        var prefix = TestOptions.UniqueMeter("RT");
        await using var client = new LsstMetricsClient(Options(relay, db, prefix + "*"));
        using var meter = new Meter(prefix);
        var tags = meter.CreateCounter<long>("tags");
        var keys = meter.CreateCounter<long>("keys");
        for (var i = 0; i < Tricky.Length; i++)
        {
            tags.Add(i, new KeyValuePair<string, object?>("v", Tricky[i]));
            keys.Add(i, new KeyValuePair<string, object?>(Tricky[i], "k"));
        }

        string[] names = ["plain", "a,b", "a b", "a=b", "a\"b", "C:\\dir", "π ß,="];
        var meters = names.Select(n => new Meter(prefix + n)).ToList();
        for (var i = 0; i < meters.Count; i++)
        {
            meters[i].CreateCounter<long>("n").Add(i);
        }

        await client.FlushAsync().WaitAsync(Guard);
        meters.ForEach(m => m.Dispose());

        relay.Requests.ShouldAllBe(r => r.Status == 204);
        client.Statistics.Invalid.ShouldBe(0);
        var rows = await influx.RowsAsync(db, $"SELECT \"value\", \"v\" FROM \"{prefix}.tags\"");
        rows.ToDictionary(r => r.WholeNumber("value"), r => r.Text("v")).ShouldBe(Tricky.Select((t, i) => (t, i)).ToDictionary(x => (long)x.i, x => (string?)x.t));
        var keyRows = await influx.RowsAsync(db, $"SHOW TAG KEYS FROM \"{prefix}.keys\"");
        keyRows.Select(r => r.Text("tagKey")).ShouldBe(Tricky.Concat(["app", "environment", "host"]).Order(StringComparer.Ordinal), ignoreOrder: true);
        var measurements = (await influx.RowsAsync(db, "SHOW MEASUREMENTS")).Select(r => r.Text("name")).ToList();
        foreach (var n in names)
        {
            measurements.ShouldContain($"{prefix}{n}.n");
        }
    }

    [Fact]
    public async Task Integers_and_floats_are_stored_bit_exact()
    {
        var (relay, db) = await RelayAsync();
        await using var _ = relay;
        var name = TestOptions.UniqueMeter("Num");
        await using var client = new LsstMetricsClient(Options(relay, db, name));
        using var meter = new Meter(name);
        long[] ints = [0, 1, -1, (1L << 53) + 1, long.MaxValue, long.MinValue];
        double[] floats = [0.1, 1.0 / 3, 1e-300, double.Epsilon, double.MaxValue, -2.5, 1e20, 123456789.123456789];
        var updown = meter.CreateUpDownCounter<long>("ints");
        foreach (var v in ints)
        {
            updown.Add(v);
        }

        var histogram = meter.CreateHistogram<double>("floats");
        foreach (var v in floats)
        {
            histogram.Record(v);
        }

        await client.FlushAsync().WaitAsync(Guard);
        (await influx.RowsAsync(db, $"SELECT \"value\" FROM \"{name}.ints\"")).Select(r => r.WholeNumber("value")).ShouldBe(ints);
        (await influx.RowsAsync(db, $"SELECT \"value\" FROM \"{name}.floats\"")).Select(r => BitConverter.DoubleToInt64Bits(r.RealNumber("value")))
            .ShouldBe(floats.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public async Task Per_window_sums_survive_a_restart()
    {
        var (relay, db) = await RelayAsync();
        await using var _ = relay;
        var name = TestOptions.UniqueMeter("Restart");
        var random = new Random(11);
        var windows = new List<(long Start, long End, long Sum, int Count)>();
        for (var life = 0; life < 2; life++)
        {
            using var meter = new Meter(name);
            var logins = meter.CreateCounter<long>("login.attempts");
            var client = new LsstMetricsClient(Options(relay, db, name));
            var start = TestOptions.UnixNanosNow();
            long sum = 0;
            var count = 300 + (life * 200);
            for (var i = 0; i < count; i++)
            {
                var v = random.Next(1, 5);
                logins.Add(v, new KeyValuePair<string, object?>("result", "ok"));
                sum += v;
            }

            await client.StopAsync().WaitAsync(Guard);
            windows.Add((start - TestOptions.RecordClockSlackNs, TestOptions.UnixNanosNow() + 1_000_000, sum, count));

            // A restart takes longer than the record clock's age, so the two lifetimes' windows do not overlap.
            await Task.Delay(TimeSpan.FromTicks(TestOptions.RecordClockSlackNs / 100) * 2);
        }

        foreach (var (start, end, sum, count) in windows)
        {
            var row = (await influx.RowsAsync(db, $"SELECT sum(\"value\"), count(\"value\") FROM \"{name}.login.attempts\" WHERE time >= {start} AND time < {end}")).ShouldHaveSingleItem();
            row.WholeNumber("sum").ShouldBe(sum);
            row.WholeNumber("count").ShouldBe(count);
        }
    }

    [Fact]
    public async Task Percentile_95_is_the_exact_p95()
    {
        var (relay, db) = await RelayAsync();
        await using var _ = relay;
        var name = TestOptions.UniqueMeter("P95");
        await using var client = new LsstMetricsClient(Options(relay, db, name));
        using var meter = new Meter(name);
        var duration = meter.CreateHistogram<double>("duration", unit: "ms");
        var random = new Random(95);
        var values = Enumerable.Range(0, 2000).Select(_ => Math.Round(random.NextDouble() * random.NextDouble() * 1000, random.Next(0, 6))).ToList();
        foreach (var v in values)
        {
            duration.Record(v, new KeyValuePair<string, object?>("handler", "login"));
        }

        await client.FlushAsync().WaitAsync(Guard);
        var sorted = values.Order().ToList();
        var nearestRank = sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1];
        var row = (await influx.RowsAsync(db, $"SELECT percentile(\"value\", 95) FROM \"{name}.duration\"")).ShouldHaveSingleItem();
        row.RealNumber("percentile").ShouldBe(nearestRank);
    }

    [Fact]
    public async Task A_time_tag_is_renamed_and_a_too_long_series_key_skipped_both_counted()
    {
        var (relay, db) = await RelayAsync();
        await using var _ = relay;
        var name = TestOptions.UniqueMeter("Edge");
        var options = Options(relay, db, name);
        options.FlushInterval = TimeSpan.FromHours(1);
        await using var client = new LsstMetricsClient(options);
        using var meter = new Meter(name);
        var c = meter.CreateCounter<long>("c");
        c.Add(1, new KeyValuePair<string, object?>("time", "noon"));
        c.Add(2, new KeyValuePair<string, object?>("k", new string('x', 70_000)));
        c.Add(3);
        await client.FlushAsync().WaitAsync(Guard);

        relay.Requests.ShouldAllBe(r => r.Status == 204, "InfluxDB took the whole batch");
        var rows = await influx.RowsAsync(db, $"SELECT \"value\", \"time_\" FROM \"{name}.c\"");
        rows.Select(r => (r.WholeNumber("value"), r.Text("time_"))).ShouldBe([(1L, "noon"), (3L, null)]);
        var stats = client.Statistics;
        (stats.Renamed, stats.Invalid, stats.Sent, stats.Failed).ShouldBe((1L, 1L, 2L, 0L));
    }

    [Fact]
    public async Task A_measurement_name_InfluxDB_would_mangle_is_not_shipped()
    {
        var (relay, db) = await RelayAsync();
        await using var _ = relay;
        var name = TestOptions.UniqueMeter("Mangle");
        await using var client = new LsstMetricsClient(Options(relay, db, name));
        using var meter = new Meter(name);
        meter.CreateCounter<long>("a\\,b").Add(1); // InfluxDB would store it as "a,b" (204) and lose the backslash
        meter.CreateCounter<long>("C:\\dir").Add(2);
        await client.FlushAsync().WaitAsync(Guard);

        client.Statistics.Recorded.ShouldBe(1, "the mangled instrument is refused when published");
        var measurements = (await influx.RowsAsync(db, "SHOW MEASUREMENTS")).Select(r => r.Text("name")).ToList();
        measurements.ShouldBe([$"{name}.C:\\dir"]);
    }

    [Fact]
    public async Task A_field_type_conflict_fails_only_the_refused_lines()
    {
        var (relay, db) = await RelayAsync();
        await using var _ = relay;
        var name = TestOptions.UniqueMeter("Conflict");
        using (var first = new Meter(name))
        {
            var client = new LsstMetricsClient(Options(relay, db, name));
            first.CreateCounter<long>("c").Add(1);
            await client.StopAsync().WaitAsync(Guard);
        }

        using var second = new Meter(name);
        var options = Options(relay, db, name);
        options.FlushInterval = TimeSpan.FromHours(1);
        await using var again = new LsstMetricsClient(options);
        second.CreateCounter<double>("c").Add(0.5); // the same measurement as a float: InfluxDB keeps the integer type
        for (var i = 0; i < 9; i++)
        {
            second.CreateCounter<long>("other").Add(i);
        }

        await again.FlushAsync().WaitAsync(Guard);
        relay.Requests.Last().Error.ShouldNotBeNull().ShouldContain("field type conflict");
        (again.Statistics.Sent, again.Statistics.Failed).ShouldBe((9L, 1L), "a partial write: InfluxDB stored the other 9 lines");
        (await influx.RowsAsync(db, $"SELECT \"value\" FROM \"{name}.other\"")).Count.ShouldBe(9);
    }
}

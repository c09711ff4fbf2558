using MetricsOperator.TestSupport;
using System.Diagnostics.Metrics;
using Lsst.Metrics.Client.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lsst.Metrics.Client.Tests;

/// <summary>End to end through InfluxDB.Client into a loopback /api/v2/write listener that parses every line strictly.</summary>
public class LoopbackTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Counter_adds_arrive_one_point_each_and_window_sums_match_across_an_app_restart()
    {
        await using var influx = await LoopbackInflux.StartAsync();
        var meterName = TestOptions.UniqueMeter("Restart");
        var random = new Random(11);
        var windows = new List<(long Start, long End, long Sum, int Count)>();
        var added = new List<long>();

        // Two lifetimes of the same app: the second starts from zero, as after a pod restart.
        for (var life = 0; life < 2; life++)
        {
            using var meter = new Meter(meterName);
            var logins = meter.CreateCounter<long>("login.attempts");
            var client = new LsstMetricsClient(TestOptions.For(influx.Url, meterName));
            var start = TestOptions.UnixNanosNow();
            long sum = 0;
            var count = 300 + (life * 200);
            for (var i = 0; i < count; i++)
            {
                var v = random.Next(1, 5);
                logins.Add(v, new KeyValuePair<string, object?>("result", "ok"));
                added.Add(v);
                sum += v;
            }

            var end = TestOptions.UnixNanosNow();
            await client.StopAsync().WaitAsync(Guard);
            client.Statistics.Sent.ShouldBe(count);
            windows.Add((start, end + 1_000_000, sum, count));

            // A restart takes longer than the record clock's age, so the two lifetimes' windows do not overlap.
            await Task.Delay(TimeSpan.FromTicks(TestOptions.RecordClockSlackNs / 100) * 2);
        }

        influx.Errors.ShouldBeEmpty();
        var points = influx.Points.Where(p => p.Measurement == $"{meterName}.login.attempts").OrderBy(p => p.Timestamp).ToList();
        points.Count.ShouldBe(added.Count, "one point per Add");
        points.Select(p => p.Fields["value"].IntValue).ShouldBe(added, "every Add's own value, in order");
        points.Select(p => p.Timestamp).Distinct().Count().ShouldBe(points.Count);
        foreach (var (start, end, sum, count) in windows)
        {
            var inWindow = points.Where(p => p.Timestamp >= start - TestOptions.RecordClockSlackNs && p.Timestamp <= end).ToList();
            inWindow.Count.ShouldBe(count);
            inWindow.Sum(p => p.Fields["value"].IntValue).ShouldBe(sum, "a time window's sum is what was added in it, restart or not");
        }

        influx.Requests.ShouldAllBe(r => r.Precision == "ns");
    }

    [Fact]
    public async Task Histogram_raw_values_arrive_so_an_exact_p95_can_be_computed()
    {
        await using var influx = await LoopbackInflux.StartAsync();
        var meterName = TestOptions.UniqueMeter("Hist");
        using var meter = new Meter(meterName);
        var duration = meter.CreateHistogram<double>("duration", unit: "ms");
        await using var client = new LsstMetricsClient(TestOptions.For(influx.Url, meterName));

        var random = new Random(95);
        var recorded = Enumerable.Range(0, 2000).Select(_ => Math.Round(random.NextDouble() * random.NextDouble() * 1000, random.Next(0, 6))).ToList();
        foreach (var v in recorded)
        {
            duration.Record(v, new KeyValuePair<string, object?>("handler", "login"));
        }

        await client.FlushAsync().WaitAsync(Guard);

        influx.Errors.ShouldBeEmpty();
        var received = influx.Points.Where(p => p.Measurement == $"{meterName}.duration").Select(p => p.Fields["value"].FloatValue).ToList();
        received.Order().ShouldBe(recorded.Order(), "the raw values, bit for bit");
        P95(received).ShouldBe(P95(recorded));
        influx.Points.ShouldAllBe(p => p.Tag("unit") == "ms" && p.Tag("handler") == "login");

        static double P95(List<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1]; // nearest rank
        }
    }

    [Fact]
    public async Task An_outage_loses_nothing_within_the_buffer_and_counts_drops_beyond_it()
    {
        await using var influx = await LoopbackInflux.StartAsync();
        var meterName = TestOptions.UniqueMeter("Outage");
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("events");
        var options = TestOptions.For(influx.Url, meterName);
        options.BufferCapacity = 1024;
        options.BatchSize = 256;
        await using var client = new LsstMetricsClient(options);

        // Phase 1: down, fewer measurements than the buffer holds.
        influx.Available = false;
        for (var i = 0; i < 900; i++)
        {
            counter.Add(i);
        }

        await LoopbackInflux.WaitUntilAsync(() => client.Statistics.Retries >= 2, Guard, "the client retries while the endpoint is down");
        influx.Available = true;
        await client.FlushAsync().WaitAsync(Guard);
        client.Statistics.Dropped.ShouldBe(0);
        influx.Points.Select(p => p.Fields["value"].IntValue).Order().ShouldBe(Enumerable.Range(0, 900).Select(i => (long)i));

        // Phase 2: down again, far more than buffer + one held batch.
        influx.Available = false;
        var retries = client.Statistics.Retries;
        const int Recorded = 5000;
        for (var i = 0; i < Recorded; i++)
        {
            counter.Add(100_000 + i);
        }

        await LoopbackInflux.WaitUntilAsync(() => client.Statistics.Retries >= retries + 2, Guard, "retrying again");
        influx.Available = true;
        await client.FlushAsync().WaitAsync(Guard);

        influx.Errors.ShouldBeEmpty();
        var phase2 = influx.Points.Select(p => p.Fields["value"].IntValue).Where(v => v >= 100_000).ToList();
        var stats = client.Statistics;
        stats.Dropped.ShouldBeGreaterThan(0);
        (phase2.Count + stats.Dropped).ShouldBe(Recorded, "every measurement either arrived or was counted as dropped");
        phase2.ShouldBe(phase2.Distinct().ToList());
        // The oldest go first, a chunk (at most 64) at a time: the newest capacity - chunk always arrive.
        var kept = options.BufferCapacity - MeasurementRing.DropChunk;
        var newest = Enumerable.Range(Recorded - kept, kept).Select(i => 100_000L + i);
        phase2.Count.ShouldBeGreaterThanOrEqualTo(kept);
        phase2.ShouldBeSubsetOf(Enumerable.Range(0, Recorded).Select(i => 100_000L + i));
        newest.ShouldBeSubsetOf(phase2, "the oldest are dropped, never the newest");
        ReadOwnCounters("dropped").ShouldContain(stats.Dropped, "drops are exposed as the client's own instrument");
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_honoured()
    {
        await using var influx = await LoopbackInflux.StartAsync();
        influx.Enqueue(new ScriptedResponse(429, RetryAfter: "1"));
        var meterName = TestOptions.UniqueMeter("Throttle");
        using var meter = new Meter(meterName);
        var options = TestOptions.For(influx.Url, meterName);
        options.InitialRetryDelay = TimeSpan.FromMilliseconds(10);
        options.MaxRetryDelay = TimeSpan.FromMilliseconds(20);
        await using var client = new LsstMetricsClient(options);

        meter.CreateCounter<int>("c").Add(1);
        await client.FlushAsync().WaitAsync(Guard);

        var requests = influx.Requests.ToList();
        requests.Select(r => r.Status).ShouldBe([429, 204]);
        (requests[1].At - requests[0].At).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900), "the retry waited for Retry-After, not the 10-20 ms backoff");
        influx.Points.Count.ShouldBe(1);
        client.Statistics.Retries.ShouldBe(1);
    }

    [Fact]
    public async Task A_refused_write_is_counted_as_failed_and_not_retried()
    {
        await using var influx = await LoopbackInflux.StartAsync();
        influx.Enqueue(new ScriptedResponse(403));
        var meterName = TestOptions.UniqueMeter("Forbidden");
        using var meter = new Meter(meterName);
        await using var client = new LsstMetricsClient(TestOptions.For(influx.Url, meterName));

        meter.CreateCounter<int>("c").Add(1);
        meter.CreateCounter<int>("c").Add(2);
        await client.FlushAsync().WaitAsync(Guard);

        influx.Requests.Select(r => r.Status).ShouldBe([403]);
        client.Statistics.Failed.ShouldBe(2);
        client.Statistics.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task A_partial_write_counts_only_the_lines_InfluxDB_dropped()
    {
        await using var influx = await LoopbackInflux.StartAsync();
        // InfluxDB's answer when one line of a batch has a type conflict (measured on 1.6.7 by RealInfluxTests).
        influx.Enqueue(new ScriptedResponse(400, Message: "partial write: field type conflict: input field 'value' on measurement 'm' is type float, already exists as type integer dropped=1"));
        var meterName = TestOptions.UniqueMeter("Partial");
        using var meter = new Meter(meterName);
        var options = TestOptions.For(influx.Url, meterName);
        options.FlushInterval = TimeSpan.FromHours(1);
        await using var client = new LsstMetricsClient(options);

        var c = meter.CreateCounter<int>("c");
        for (var i = 0; i < 10; i++)
        {
            c.Add(1);
        }

        await client.FlushAsync().WaitAsync(Guard);
        (client.Statistics.Sent, client.Statistics.Failed, client.Statistics.Retries).ShouldBe((9L, 1L, 0L));
    }

    [Fact]
    public async Task A_401_rereads_the_token_file_and_retries_until_the_rotated_token_arrives()
    {
        await using var influx = await LoopbackInflux.StartAsync();
        influx.ExpectedToken = "new-token"; // the operator rotated the listener's token
        var tokenFile = Path.Combine(Path.GetTempPath(), $"metrics-token-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(tokenFile, "old-token\n");
        try
        {
            var meterName = TestOptions.UniqueMeter("Rotate");
            using var meter = new Meter(meterName);
            var options = TestOptions.For(influx.Url, meterName);
            options.Token = null;
            options.TokenFile = tokenFile;
            options.InitialRetryDelay = TimeSpan.FromMilliseconds(50);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(100);
            await using var client = new LsstMetricsClient(options);

            meter.CreateCounter<int>("c").Add(7);
            await LoopbackInflux.WaitUntilAsync(() => client.Statistics.Unauthorized >= 2, Guard, "401s while the file holds the old token");
            influx.Points.ShouldBeEmpty();
            await File.WriteAllTextAsync(tokenFile, "new-token\n"); // the mounted Secret is updated
            await client.FlushAsync().WaitAsync(Guard);

            influx.Points.ShouldHaveSingleItem().Fields["value"].IntValue.ShouldBe(7);
            var requests = influx.Requests.ToList();
            requests.Where(r => r.Status == 401).ShouldAllBe(r => r.Authorization == "Token old-token");
            requests[^1].Authorization.ShouldBe("Token new-token");
            var stats = client.Statistics;
            (stats.Failed, stats.Sent).ShouldBe((0L, 1L));
            stats.Retries.ShouldBe(stats.Unauthorized);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task Gzip_bodies_are_sent_when_enabled()
    {
        await using var influx = await LoopbackInflux.StartAsync();
        var meterName = TestOptions.UniqueMeter("Gzip");
        using var meter = new Meter(meterName);
        var options = TestOptions.For(influx.Url, meterName);
        options.Gzip = true;
        await using var client = new LsstMetricsClient(options);

        var h = meter.CreateHistogram<int>("h");
        for (var i = 0; i < 100; i++)
        {
            h.Record(i, new KeyValuePair<string, object?>("path", "/a b"));
        }

        await client.FlushAsync().WaitAsync(Guard);
        influx.Errors.ShouldBeEmpty();
        influx.Requests.ShouldAllBe(r => r.ContentEncoding == "gzip");
        influx.Points.Count.ShouldBe(100);
        influx.Points.ShouldAllBe(p => p.Tag("path") == "/a b");
    }

    [Fact]
    public async Task Stopping_flushes_what_is_buffered()
    {
        await using var influx = await LoopbackInflux.StartAsync();
        var meterName = TestOptions.UniqueMeter("Stop");
        using var meter = new Meter(meterName);
        var options = TestOptions.For(influx.Url, meterName);
        options.FlushInterval = TimeSpan.FromHours(1);
        options.BatchSize = 10_000;
        var client = new LsstMetricsClient(options);

        var c = meter.CreateCounter<long>("c");
        for (var i = 0; i < 500; i++)
        {
            c.Add(1);
        }

        meter.CreateObservableGauge("last", () => 7);
        influx.Points.ShouldBeEmpty("nothing is due before the flush interval");
        await client.StopAsync().WaitAsync(Guard);

        influx.Points.Count(p => p.Measurement == $"{meterName}.c").ShouldBe(500);
        influx.Points.Count(p => p.Measurement == $"{meterName}.last").ShouldBe(1, "observables are polled one last time at shutdown");
        c.Add(1); // after stop: ignored, never throws
    }

    [Fact]
    public async Task Stopping_gives_up_at_the_deadline_and_counts_what_is_lost()
    {
        await using var influx = await LoopbackInflux.StartAsync();
        influx.Available = false;
        var meterName = TestOptions.UniqueMeter("Deadline");
        using var meter = new Meter(meterName);
        var options = TestOptions.For(influx.Url, meterName);
        options.ShutdownTimeout = TimeSpan.FromMilliseconds(300);
        var client = new LsstMetricsClient(options);

        var c = meter.CreateCounter<long>("c");
        for (var i = 0; i < 50; i++)
        {
            c.Add(1);
        }

        await client.StopAsync().WaitAsync(Guard);
        client.Statistics.Dropped.ShouldBe(50);
        client.Statistics.Sent.ShouldBe(0);
    }

    [Fact]
    public async Task The_generic_host_runs_the_client_and_flushes_on_shutdown()
    {
        await using var influx = await LoopbackInflux.StartAsync();
        var meterName = TestOptions.UniqueMeter("Host");
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LsstMetrics:Url"] = influx.Url,
            ["LsstMetrics:Org"] = LoopbackInflux.Org,
            ["LsstMetrics:Bucket"] = LoopbackInflux.Bucket,
            ["LsstMetrics:Token"] = LoopbackInflux.Token,
            ["LsstMetrics:App"] = "hosted",
            ["LsstMetrics:FlushInterval"] = "01:00:00",
            ["LsstMetrics:Meters:0"] = meterName,
        }).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLsstMetrics(config, o => o.ReadEnvironment = _ => null);
        using var host = builder.Build();
        await host.StartAsync();

        using var meter = new Meter(meterName);
        meter.CreateCounter<int>("hits").Add(5);
        await host.StopAsync();

        var p = influx.Points.ShouldHaveSingleItem();
        p.Measurement.ShouldBe($"{meterName}.hits");
        p.Tag("app").ShouldBe("hosted");
    }

    /// <summary>The values of one of the client's own counters, one per live client in this process.</summary>
    private static List<long> ReadOwnCounters(string name)
    {
        var values = new List<long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == LsstMetricsClient.MeterName && i.Name == name)
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, v, _, _) => values.Add(v));
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}

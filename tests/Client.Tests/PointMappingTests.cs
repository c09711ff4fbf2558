using System.Diagnostics.Metrics;
using Lsst.Metrics.Client.Tests.Support;

namespace Lsst.Metrics.Client.Tests;

public class PointMappingTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_counter_add_becomes_one_integer_point_with_measurement_tags_global_tags_unit_and_record_time()
    {
        var meterName = TestOptions.UniqueMeter();
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("requests", unit: "{request}");
        await using var client = TestOptions.Capturing(TestOptions.For("http://127.0.0.1:1", meterName), out var writer);

        var before = TestOptions.UnixNanosNow();
        counter.Add(3, new KeyValuePair<string, object?>("route", "/login"), new KeyValuePair<string, object?>("status", 200));
        var after = TestOptions.UnixNanosNow();
        await client.FlushAsync().WaitAsync(Guard);

        var line = writer.Lines.ShouldHaveSingleItem();
        line.ShouldStartWith($"{meterName}.requests,app=test-app,environment=test-env,host=pod-1,unit={{request}},route=/login,status=200 value=3i ");
        var point = LineProtocolParser.ParseLine(line);
        point.Measurement.ShouldBe($"{meterName}.requests");
        point.Fields.ShouldHaveSingleItem().Value.ShouldBe(new FieldValue('i', 3, 0, null, false));
        point.Timestamp!.Value.ShouldBeInRange(before - TestOptions.RecordClockSlackNs, after + 1_000_000);
    }

    [Fact]
    public async Task With_ExactTimestamps_a_point_carries_the_exact_time_of_its_Add()
    {
        // The coarse clock is always at least a millisecond behind (CoarseClock): this window is narrower than that.
        var meterName = TestOptions.UniqueMeter();
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("requests");
        var options = TestOptions.For("http://127.0.0.1:1", meterName);
        options.ExactTimestamps = true;
        await using var client = TestOptions.Capturing(options, out var writer);

        var windows = new List<(long Before, long After)>();
        for (var i = 0; i < 20; i++)
        {
            var before = TestOptions.UnixNanosNow();
            counter.Add(i);
            windows.Add((before, TestOptions.UnixNanosNow()));
            await Task.Delay(2);
        }

        await client.FlushAsync().WaitAsync(Guard);
        var times = writer.Points.Select(p => p.Timestamp!.Value).ToList();
        times.Count.ShouldBe(20);

        // The wall clock and the monotonic one are read a few dozen nanoseconds apart when a batch is stamped, and
        // the wall clock counts in 100 ns: 200 µs either side is room for that, and for nothing coarse.
        for (var i = 0; i < times.Count; i++)
        {
            times[i].ShouldBeInRange(windows[i].Before - 200_000, windows[i].After + 200_000, $"point {i}");
        }
    }

    [Fact]
    public async Task While_measurements_flow_each_point_carries_its_own_record_time_in_record_order()
    {
        // The record path reads the kernel's coarse clock (CoarseClock): the points must still follow time, never be
        // ahead of their Add, and lag it by at most a kernel tick, not by the time since recording began.
        var meterName = TestOptions.UniqueMeter();
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("steps");
        await using var client = TestOptions.Capturing(TestOptions.For("http://127.0.0.1:1", meterName), out var writer);

        var afterEachAdd = new List<long>();
        var spin = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; spin.ElapsedMilliseconds < 300; i++)
        {
            counter.Add(i);
            afterEachAdd.Add(TestOptions.UnixNanosNow());
            var next = spin.Elapsed + TimeSpan.FromMicroseconds(100); // a steady app, well within the buffer
            while (spin.Elapsed < next)
            {
            }
        }

        await client.FlushAsync().WaitAsync(Guard);

        var points = writer.Points.ToList();
        points.Count.ShouldBe(afterEachAdd.Count);
        points.Select(p => p.Fields["value"].IntValue).ShouldBe(Enumerable.Range(0, points.Count).Select(i => (long)i), "shipped in record order");
        var times = points.Select(p => p.Timestamp!.Value).ToList();
        times.ShouldBe(times.Order().Distinct().ToList(), "strictly increasing in record order");
        var lags = times.Select((t, i) => afterEachAdd[i] - t).ToList();

        // DateTime.UtcNow and the Stopwatch conversion agree to within a millisecond or so; the nanosecond bumps that
        // keep points apart add at most one nanosecond per point.
        lags.Min().ShouldBeGreaterThan(-2_000_000 - points.Count, "a point is never stamped after its Add returned");

        // A lag is measured after the Add returns, so a preemption in between lengthens it: most, not all, are bounded.
        lags.Order().ElementAt(lags.Count * 9 / 10).ShouldBeLessThan(TestOptions.RecordClockSlackNs + 1_000_000, "a point lags its Add by at most a kernel tick");
        lags.Max().ShouldBeLessThan(100_000_000, "no point carries a time from long before its Add");
        (times[^1] - times[0]).ShouldBeGreaterThan(200_000_000, "the stamps span the 300 ms of recording");
    }

    [Fact]
    public async Task Each_instrument_type_maps_to_its_own_points_with_int_or_float_values()
    {
        var meterName = TestOptions.UniqueMeter();
        using var meter = new Meter(meterName);
        await using var client = TestOptions.Capturing(TestOptions.For("http://127.0.0.1:1", meterName), out var writer);

        meter.CreateCounter<int>("c_int").Add(7);
        meter.CreateCounter<double>("c_double").Add(0.5);
        meter.CreateUpDownCounter<long>("updown").Add(-4);
        var h = meter.CreateHistogram<double>("latency", unit: "ms");
        h.Record(12.25);
        h.Record(12.25);
        meter.CreateGauge<int>("gauge").Record(99);
        meter.CreateHistogram<byte>("h_byte").Record(200);
        meter.CreateHistogram<short>("h_short").Record(-300);
        meter.CreateHistogram<float>("h_float").Record(0.75f);
        meter.CreateHistogram<decimal>("h_decimal").Record(2.5m);
        meter.CreateObservableGauge("obs_gauge", () => 42.5);
        meter.CreateObservableCounter("obs_counter", () => 1000L);
        meter.CreateObservableUpDownCounter("obs_updown", () => new Measurement<int>(-2, new KeyValuePair<string, object?>("q", "a")));
        client.RecordObservableInstruments();
        await client.FlushAsync().WaitAsync(Guard);

        var points = writer.Points.ToLookup(p => p.Measurement[(meterName.Length + 1)..]);
        FieldValue Value(string name) => points[name].ShouldHaveSingleItem().Fields["value"];

        Value("c_int").ShouldBe(new FieldValue('i', 7, 0, null, false));
        Value("c_double").ShouldBe(new FieldValue('f', 0, 0.5, null, false));
        Value("updown").ShouldBe(new FieldValue('i', -4, 0, null, false));
        points["latency"].Count().ShouldBe(2, "each Record is its own point: no aggregation");
        points["latency"].ShouldAllBe(p => p.Fields["value"].FloatValue == 12.25 && p.Tag("unit") == "ms");
        points["latency"].Select(p => p.Timestamp).Distinct().Count().ShouldBe(2, "two records never share a timestamp");
        Value("gauge").ShouldBe(new FieldValue('i', 99, 0, null, false));
        Value("h_byte").ShouldBe(new FieldValue('i', 200, 0, null, false));
        Value("h_short").ShouldBe(new FieldValue('i', -300, 0, null, false));
        Value("h_float").ShouldBe(new FieldValue('f', 0, 0.75, null, false));
        Value("h_decimal").ShouldBe(new FieldValue('f', 0, 2.5, null, false));
        Value("obs_gauge").ShouldBe(new FieldValue('f', 0, 42.5, null, false));
        Value("obs_counter").ShouldBe(new FieldValue('i', 1000, 0, null, false));
        Value("obs_updown").ShouldBe(new FieldValue('i', -2, 0, null, false));
        points["obs_updown"].Single().Tag("q").ShouldBe("a");
        points["c_int"].Single().Tag("unit").ShouldBeNull();
    }

    [Fact]
    public async Task Observable_instruments_are_polled_on_the_interval()
    {
        var meterName = TestOptions.UniqueMeter();
        using var meter = new Meter(meterName);
        var calls = 0;
        meter.CreateObservableGauge("polled", () => Interlocked.Increment(ref calls));
        var options = TestOptions.For("http://127.0.0.1:1", meterName);
        options.ObservableInterval = TimeSpan.FromMilliseconds(50);
        await using var client = TestOptions.Capturing(options, out var writer);

        await LoopbackInflux.WaitUntilAsync(() => writer.Lines.Count(l => l.Length > 0) >= 3, Guard, "three polls shipped");
        var values = writer.Points.Select(p => p.Fields["value"].IntValue).ToList();
        values.ShouldBe(values.Order().ToList());
        values.Distinct().Count().ShouldBe(values.Count);
    }

    [Fact]
    public async Task Tricky_tags_are_escaped_empty_ones_omitted_and_unwritable_points_skipped_and_counted()
    {
        var meterName = TestOptions.UniqueMeter();
        using var meter = new Meter(meterName);
        var h = meter.CreateHistogram<double>("h");
        await using var client = TestOptions.Capturing(TestOptions.For("http://127.0.0.1:1", meterName), out var writer);

        h.Record(1, new("path", "/a b,c=d"), new("quote", "\"x\""), new("win", @"C:\dir"), new("uni", "日本 😀"), new("empty", ""), new("null", null), new("k ey", "v"));
        h.Record(2, new KeyValuePair<string, object?>("bad", "line\nbreak"));
        h.Record(3, new KeyValuePair<string, object?>("trailing", @"ends\"));
        h.Record(double.NaN);
        h.Record(double.PositiveInfinity);
        h.Record(4, new("dup", "first"), new("dup", "second"), new("app", "not-this"), new("num", 1.5), new("flag", true));
        await client.FlushAsync().WaitAsync(Guard);

        var points = writer.Points;
        points.Count.ShouldBe(2);
        var first = points[0];
        first.Fields["value"].FloatValue.ShouldBe(1);
        first.Tag("path").ShouldBe("/a b,c=d");
        first.Tag("quote").ShouldBe("\"x\"");
        first.Tag("win").ShouldBe(@"C:\dir");
        first.Tag("uni").ShouldBe("日本 😀");
        first.Tag("k ey").ShouldBe("v");
        first.Tags.ShouldNotContain(t => t.Key == "empty" || t.Key == "null");

        var last = points[1];
        last.Fields["value"].FloatValue.ShouldBe(4);
        last.Tag("dup").ShouldBe("first");
        last.Tag("app").ShouldBe("test-app", "global tags win over measurement tags");
        last.Tag("num").ShouldBe("1.5");
        last.Tag("flag").ShouldBe("true");

        var stats = client.Statistics;
        stats.NonFinite.ShouldBe(2);
        stats.Invalid.ShouldBe(2);
    }

    [Fact]
    public async Task More_tags_than_fit_inline_still_arrive()
    {
        var meterName = TestOptions.UniqueMeter();
        using var meter = new Meter(meterName);
        var c = meter.CreateCounter<long>("wide");
        await using var client = TestOptions.Capturing(TestOptions.For("http://127.0.0.1:1", meterName), out var writer);

        var tags = Enumerable.Range(0, 12).Select(i => new KeyValuePair<string, object?>($"t{i}", i)).ToArray();
        c.Add(1, tags);
        await client.FlushAsync().WaitAsync(Guard);

        var p = writer.Points.ShouldHaveSingleItem();
        for (var i = 0; i < 12; i++)
        {
            p.Tag($"t{i}").ShouldBe(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Prefix_matching_respects_name_boundaries_and_the_own_meter_ships_when_named()
    {
        var root = TestOptions.UniqueMeter("Sel");
        using var lookalike = new Meter(root + "X");
        await using var client = TestOptions.Capturing(TestOptions.For("http://127.0.0.1:1", root, LsstMetricsClient.MeterName), out var writer);

        lookalike.CreateCounter<int>("x").Add(1);
        client.RecordObservableInstruments();
        await client.FlushAsync().WaitAsync(Guard);

        var names = writer.Points.Select(p => p.Measurement).ToList();
        names.ShouldNotContain($"{root}X.x", "'Foo' matches 'Foo' and 'Foo.*', not 'FooX'");
        names.ShouldContain($"{LsstMetricsClient.MeterName}.sent");
        names.ShouldContain($"{LsstMetricsClient.MeterName}.dropped");
    }

    [Fact]
    public async Task A_tag_named_time_is_written_as_time_underscore_and_counted()
    {
        var meterName = TestOptions.UniqueMeter();
        using var meter = new Meter(meterName);
        await using var client = TestOptions.Capturing(TestOptions.For("http://127.0.0.1:1", meterName), out var writer);

        var c = meter.CreateCounter<long>("c");
        c.Add(1, new KeyValuePair<string, object?>("time", "noon"));
        c.Add(2, new KeyValuePair<string, object?>("time", "dusk"), new KeyValuePair<string, object?>("time_", "kept"));
        c.Add(3, new KeyValuePair<string, object?>("time", "")); // an empty tag is omitted, nothing renamed
        await client.FlushAsync().WaitAsync(Guard);

        var points = writer.Points;
        points[0].Tag("time_").ShouldBe("noon");
        points[0].Tag("time").ShouldBeNull();
        points[1].Tags.Count(t => t.Key == "time_").ShouldBe(1);
        points[1].Tag("time_").ShouldBe("kept", "an explicit time_ tag wins over the renamed one");
        points[2].Tags.ShouldNotContain(t => t.Key.StartsWith("time", StringComparison.Ordinal));
        client.Statistics.Renamed.ShouldBe(1);
    }

    [Fact]
    public async Task A_series_key_longer_than_65535_bytes_is_skipped_and_counted()
    {
        var meterName = TestOptions.UniqueMeter();
        using var meter = new Meter(meterName);
        await using var client = TestOptions.Capturing(TestOptions.For("http://127.0.0.1:1", meterName), out var writer);

        var c = meter.CreateCounter<long>("c");
        var prefix = $"{meterName}.c,app=test-app,environment=test-env,host=pod-1,k=".Length;
        c.Add(1, new KeyValuePair<string, object?>("k", new string('x', 65_535 - prefix))); // exactly the limit
        c.Add(2, new KeyValuePair<string, object?>("k", new string('x', 65_536 - prefix)));
        c.Add(3, new KeyValuePair<string, object?>("k", new string('é', (65_536 - prefix) / 2 + 1))); // short in chars, long in UTF-8
        c.Add(4);
        await client.FlushAsync().WaitAsync(Guard);

        writer.Points.Select(p => p.Fields["value"].IntValue).ShouldBe([1L, 4L]);
        client.Statistics.Invalid.ShouldBe(2);
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Lsst.Metrics.Client.Bench;

/// <summary>
/// The record path, side by side in one process: <c>Counter.Add</c> and <c>Histogram.Record</c> with 0, 1 and 3 tags
/// under nothing, this client and the OpenTelemetry SDK (a MeterProvider with a reader), the same instruments and
/// tags. The machine is shared, so the variants are interleaved in short bursts, round after round, and each figure
/// is the median of its rounds: a burst that lost the CPU to another process is an outlier on every side alike.
/// Bytes are the recording thread's own (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), what the app pays; the
/// client's shipper allocates on its own thread.
/// </summary>
internal static class RecordComparison
{
    private static readonly KeyValuePair<string, object?> Route = new("route", "/login");
    private static readonly KeyValuePair<string, object?> Status = new("status", "200");
    private static readonly KeyValuePair<string, object?> Method = new("method", "GET");
    private static readonly int[] TagCounts = [0, 1, 3];

    /// <summary>Prints both tables and the PASS/MISS lines; true when every row passed.</summary>
    public static bool Run(bool smoke)
    {
        using var none = new Side("None");
        using var client = new Side("LsstClient");
        using var otel = new Side("OpenTelemetry");
        var options = new LsstMetricsOptions { Url = "http://127.0.0.1:1", Org = "o", Bucket = "b", Token = "t", App = "bench" };
        options.Meters.Add(client.Meter.Name);
        using var lsst = new LsstMetricsClient(MetricsSettings.Resolve(options), NullLogger.Instance, new DiscardingWriter());
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(otel.Meter.Name).AddInMemoryExporter(new List<Metric>()).Build();

        var roomBurst = options.BufferCapacity / 8;
        var room = Measure(
            $"Buffer with room (bursts of {roomBurst:N0} calls; the client's buffer is flushed between bursts, untimed: an app recording below the shipper's rate)",
            none, client, otel, roomBurst, rounds: smoke ? 3 : 200, warmup: smoke ? 0.05 : 1.5, flush: () => lsst.FlushAsync().GetAwaiter().GetResult());
        var full = Measure(
            $"Buffer full (bursts of {options.BufferCapacity * 2:N0} calls, never flushed: the shipper formats flat out and every write also drops the oldest)",
            none, client, otel, options.BufferCapacity * 2, rounds: smoke ? 2 : 30, warmup: smoke ? 0.05 : 0.5, flush: null);
        PrintClock(smoke);
        var s = lsst.Statistics;
        Console.WriteLine($"Client counts: recorded {s.Recorded:N0}, sent {s.Sent:N0}, dropped {s.Dropped:N0} (all dropped are from the full-buffer table)");

        var passes = room + full;
        Console.WriteLine($"Record path goal (this client <= OpenTelemetry SDK and 0 B per call, each row), wall-clock: {passes.Pass} PASS, {passes.Miss} MISS; recording thread's CPU time: {passes.CpuPass} PASS, {passes.CpuMiss} MISS");
        Console.WriteLine($"Buffer with room only (the state of an app recording below the shipper's rate): wall-clock {room.Pass} PASS, {room.Miss} MISS; CPU time {room.CpuPass} PASS, {room.CpuMiss} MISS");
        return passes.Miss == 0;
    }

    /// <summary>
    /// What one clock read costs here: every point carries its own record-time timestamp, so the record path's clock
    /// (<see cref="CoarseClock"/>) is a floor under this client's figures that the SDK, which aggregates and stamps at
    /// export, does not pay. The others are the alternatives weighed (docs/performance.md): the exact monotonic clock
    /// the record path read before, the runtime's coarse one in milliseconds, the wall clock.
    /// </summary>
    private static void PrintClock(bool smoke)
    {
        Console.WriteLine();
        Console.WriteLine($"For reference, one clock read alone (median of {(smoke ? 10 : 300)} rounds):");
        PrintClock(smoke, $"CoarseClock.Now() (the clock every point reads: CLOCK_MONOTONIC_COARSE, {(CoarseClock.IsCoarse ? $"steps of {CoarseClock.Resolution.TotalMilliseconds:F0} ms here" : "not available here: exact")})", static () => CoarseClock.Now());
        PrintClock(smoke, "Stopwatch.GetTimestamp() (exact: CLOCK_MONOTONIC)", static () => Stopwatch.GetTimestamp());
        PrintClock(smoke, $"Environment.TickCount64 (coarse: steps of {CoarseStepMs()} ms here)", static () => Environment.TickCount64);
        PrintClock(smoke, "DateTime.UtcNow", static () => DateTime.UtcNow.Ticks);
        PrintClock(smoke, "a delegate returning a constant (the loop's own cost, inside each figure above)", static () => 1L);
    }

    private static void PrintClock(bool smoke, string name, Func<long> read)
    {
        const int Burst = 4096;
        var rounds = new List<double>();
        long sink = 0;
        for (var round = 0; round < (smoke ? 10 : 300); round++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < Burst; i++)
            {
                sink += read();
            }

            rounds.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / Burst);
        }

        GC.KeepAlive(sink);
        rounds.Sort();
        Console.WriteLine($"  {name}: {rounds[rounds.Count / 2]:F1} ns");
    }

    private static long CoarseStepMs()
    {
        var first = Environment.TickCount64;
        long next;
        while ((next = Environment.TickCount64) == first)
        {
        }

        return next - first;
    }

    private static Tally Measure(string title, Side none, Side client, Side otel, int burst, int rounds, double warmup, Action? flush)
    {
        var cases = new List<Case>();
        foreach (var method in new[] { "Counter.Add", "Histogram.Record" })
        {
            foreach (var tags in TagCounts)
            {
                cases.Add(new Case(method, tags, [Variant(none, method, tags), Variant(client, method, tags), Variant(otel, method, tags)]));
            }
        }

        // Warm-up, not reported: every variant runs until the JIT has settled. Tiered compilation replaces the code
        // while it runs (on a loaded machine its background compiles come late) and that allocates a little on this
        // thread, which is not the record path's doing; so the warm-up lasts until a whole pass allocated nothing.
        var warm = Stopwatch.StartNew();
        long passBytes;
        do
        {
            passBytes = GC.GetAllocatedBytesForCurrentThread();
            foreach (var c in cases)
            {
                foreach (var v in c.Variants)
                {
                    v.Run(burst);
                    if (v.Side == client)
                    {
                        passBytes -= GC.GetAllocatedBytesForCurrentThread();
                        flush?.Invoke();
                        passBytes += GC.GetAllocatedBytesForCurrentThread();
                    }
                }
            }

            passBytes = GC.GetAllocatedBytesForCurrentThread() - passBytes;
        }
        while (warm.Elapsed.TotalSeconds < warmup || (passBytes != 0 && warm.Elapsed.TotalSeconds < warmup * 8));

        for (var round = 0; round < rounds; round++)
        {
            foreach (var c in cases)
            {
                foreach (var v in c.Variants)
                {
                    var bytes = GC.GetAllocatedBytesForCurrentThread();
                    var cpu = ThreadCpuClock.Now();
                    var start = Stopwatch.GetTimestamp();
                    v.Run(burst);
                    var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / burst;
                    v.CpuNs.Add((double)(ThreadCpuClock.Now() - cpu) / burst);
                    v.RoundBytes.Add(GC.GetAllocatedBytesForCurrentThread() - bytes);
                    v.Calls += burst;
                    v.Ns.Add(ns);
                    if (v.Side == client)
                    {
                        flush?.Invoke();
                    }
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine($"median of {rounds} rounds after {warm.Elapsed.TotalSeconds:F1} s of warm-up, per call: wall-clock ns / the recording thread's CPU ns, bytes allocated on the recording thread");
        Console.WriteLine($"{"call",-18} {"tags",4} {"nothing",22} {"this client",22} {"OpenTelemetry",22} {"client/OTel wall/CPU",21} {"goal wall/CPU",14}");
        var tally = default(Tally);
        foreach (var c in cases)
        {
            var (n, l, o) = (c.Variants[0], c.Variants[1], c.Variants[2]);
            var wallPass = l.Median <= o.Median && l.MedianBytes == 0;
            var cpuPass = ThreadCpuClock.IsAvailable && l.CpuMedian <= o.CpuMedian && l.MedianBytes == 0;
            tally += new Tally(wallPass ? 1 : 0, wallPass ? 0 : 1, cpuPass ? 1 : 0, cpuPass ? 0 : 1);
            var ratios = string.Create(CultureInfo.InvariantCulture, $"{l.Median / o.Median:F2}x / {l.CpuMedian / o.CpuMedian:F2}x");
            var goal = $"{(wallPass ? "PASS" : "MISS")} / {(cpuPass ? "PASS" : "MISS")}";
            var stray = string.Join(", ", c.Variants.Where(v => v.Bytes > 0).Select(v => $"{v.Side.Name}: {v.Bytes:N0} B in {v.RoundBytes.Count(b => b > 0)} of {rounds} rounds"));
            Console.WriteLine($"{c.Method,-18} {c.Tags,4} {n.Cell,22} {l.Cell,22} {o.Cell,22} {ratios,21} {goal,14}{(stray.Length > 0 ? $"  ({stray})" : "")}");
        }

        return tally;
    }

    private static VariantRun Variant(Side side, string method, int tags)
    {
        Action<int> run = (method, tags) switch
        {
            ("Counter.Add", 0) => n => side.Add0(n),
            ("Counter.Add", 1) => n => side.Add1(n),
            ("Counter.Add", _) => n => side.Add3(n),
            ("Histogram.Record", 0) => n => side.Record0(n),
            ("Histogram.Record", 1) => n => side.Record1(n),
            _ => n => side.Record3(n),
        };
        return new VariantRun(side, run);
    }

    private readonly record struct Tally(int Pass, int Miss, int CpuPass, int CpuMiss)
    {
        public static Tally operator +(Tally a, Tally b) => new(a.Pass + b.Pass, a.Miss + b.Miss, a.CpuPass + b.CpuPass, a.CpuMiss + b.CpuMiss);
    }

    private sealed record Case(string Method, int Tags, VariantRun[] Variants);

    private sealed class VariantRun(Side side, Action<int> run)
    {
        public Side Side { get; } = side;

        public List<double> Ns { get; } = [];

        public List<double> CpuNs { get; } = [];

        /// <summary>This thread's allocations in each round.</summary>
        public List<long> RoundBytes { get; } = [];

        public long Bytes => RoundBytes.Sum();

        /// <summary>
        /// The median round's bytes, like the time: an allocation made by the calls shows in every round, while the
        /// runtime's own rare ones (tiered compilation replacing code late on a loaded machine, seen on either side)
        /// show in a few and are printed beside the row.
        /// </summary>
        public long MedianBytes => RoundBytes.Order().ElementAt(RoundBytes.Count / 2);

        public long Calls { get; set; }

        public double Median => MedianOf(Ns);

        public double CpuMedian => MedianOf(CpuNs);

        public string Cell => string.Create(CultureInfo.InvariantCulture, $"{Median,6:F1} / {CpuMedian,5:F1} ns {(double)MedianBytes / (Calls / RoundBytes.Count),1:0.#} B");

        private static double MedianOf(List<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }

        public void Run(int calls) => run(calls);
    }

    /// <summary>One meter with the two instruments, listened to by one side only (each listener enables its meter).</summary>
    private sealed class Side : IDisposable
    {
        private readonly Counter<long> _counter;
        private readonly Histogram<double> _histogram;
        private double _value;

        public Side(string name)
        {
            Name = name;
            Meter = new Meter($"Bench.{name}.M{Guid.NewGuid():N}");
            _counter = Meter.CreateCounter<long>("requests");
            _histogram = Meter.CreateHistogram<double>("duration", "ms");
        }

        public Meter Meter { get; }

        public string Name { get; }

        public void Add0(int n)
        {
            for (var i = 0; i < n; i++)
            {
                _counter.Add(1);
            }
        }

        public void Add1(int n)
        {
            for (var i = 0; i < n; i++)
            {
                _counter.Add(1, Route);
            }
        }

        public void Add3(int n)
        {
            for (var i = 0; i < n; i++)
            {
                _counter.Add(1, Route, Status, Method);
            }
        }

        public void Record0(int n)
        {
            for (var i = 0; i < n; i++)
            {
                _histogram.Record(NextValue());
            }
        }

        public void Record1(int n)
        {
            for (var i = 0; i < n; i++)
            {
                _histogram.Record(NextValue(), Route);
            }
        }

        public void Record3(int n)
        {
            for (var i = 0; i < n; i++)
            {
                _histogram.Record(NextValue(), Route, Status, Method);
            }
        }

        public void Dispose() => Meter.Dispose();

        /// <summary>0.5 to 1000 ms and round again: a latency spread over the SDK's default buckets.</summary>
        private double NextValue() => _value = _value >= 1000 ? 0.5 : _value + 0.5;
    }
}

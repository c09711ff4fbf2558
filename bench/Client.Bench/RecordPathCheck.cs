using System.Diagnostics;

namespace Lsst.Metrics.Client.Bench;

/// <summary>
/// BenchmarkDotNet's allocation column counts the whole process, so with this client it includes the shipper's
/// formatting on its own thread. This check counts only the recording thread's allocations
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), which is what the app's code pays.
/// </summary>
internal static class RecordPathCheck
{
    private const int Calls = 5_000_000;

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"Recording thread only ({Calls:N0} calls each, after 1,000,000 warm-up calls):");
        Console.WriteLine($"{"listener",-14} {"method",-16} {"ns/op",8} {"B/op (this thread)",20}");
        foreach (var listener in Enum.GetValues<Listener>())
        {
            var bench = new RecordBenchmarks { Listener = listener };
            bench.Setup();
            try
            {
                Measure(listener, "CounterAdd", bench.CounterAdd);
                Measure(listener, "HistogramRecord", bench.HistogramRecord);
            }
            finally
            {
                bench.Cleanup();
            }
        }

        RingWithRoom();
    }

    /// <summary>
    /// The client's write into its ring when there is room and no reader competes for the same cache lines (the
    /// state of an app recording well below the shipper's rate), timestamp included, listener dispatch excluded:
    /// the benchmark above instead records faster than any shipper drains, so its ring is always full.
    /// </summary>
    private static void RingWithRoom()
    {
        using var meter = new System.Diagnostics.Metrics.Meter("Bench.Ring");
        var options = new LsstMetricsOptions { Url = "http://127.0.0.1:1", Org = "o", Bucket = "b", Token = "t", App = "bench" };
        options.Meters.Add("Bench.Ring");
        var state = new InstrumentState(null!, meter.CreateCounter<long>("c"), "Bench.Ring.c", MetricsSettings.Resolve(options));
        var ring = new MeasurementRing(65_536);
        KeyValuePair<string, object?>[] tags = [new("route", "/login"), new("status", "200")];
        const int PerRound = 60_000;
        const int Rounds = 50;
        var elapsed = TimeSpan.Zero;
        var bytes = 0L;
        for (var round = 0; round < Rounds + 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < PerRound; i++)
            {
                ring.Write(state, Stopwatch.GetTimestamp(), i, false, tags);
            }

            sw.Stop();
            if (round >= 5)
            {
                elapsed += sw.Elapsed;
                bytes += GC.GetAllocatedBytesForCurrentThread() - before;
            }

            while (ring.TryRead(out _))
            {
            }
        }

        var calls = (double)PerRound * Rounds;
        Console.WriteLine($"{"ring, room",-14} {"Write(2 tags)",-16} {elapsed.TotalNanoseconds / calls,8:F1} {bytes / calls,20:F3}");
    }

    private static void Measure(Listener listener, string name, Action call)
    {
        for (var i = 0; i < 1_000_000; i++)
        {
            call();
        }

        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < Calls; i++)
        {
            call();
        }

        sw.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;
        Console.WriteLine($"{listener,-14} {name,-16} {sw.Elapsed.TotalNanoseconds / Calls,8:F1} {(double)allocated / Calls,20:F3}");
    }
}

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

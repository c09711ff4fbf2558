using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lsst.Metrics.Client.Bench;

/// <summary>
/// What the record path's ticking clock costs the whole process, at steady recording rates: the recording thread's
/// CPU per <c>Counter.Add</c> and the clock thread's CPU per second (read from <c>/proc/self/task/*/schedstat</c>),
/// against what reading the exact clock on every call would cost instead (one <see cref="Stopwatch.GetTimestamp"/>
/// per measurement). The app sleeps between its measurements, as a real one waits for work.
/// </summary>
internal static class ClockCost
{
    private static readonly int[] Rates = [10, 100, 1_000, 10_000, 100_000];

    public static void Run(bool smoke)
    {
        var seconds = smoke ? 0.3 : 4.0;
        var stopwatchNs = StopwatchCostNs();
        Console.WriteLine($"Ticking clock, {seconds:F1} s per rate, one recording thread that sleeps between measurements (1 ms sleeps, bursts above 1,000/s); Stopwatch.GetTimestamp() here: {stopwatchNs:F1} ns");
        Console.WriteLine("rate/s      recording thread ns/Add   clock thread CPU µs/s   exact clock instead µs/s   clock thread / exact clock");
        foreach (var rate in Rates)
        {
            var (perAdd, clockUsPerSecond) = Measure(rate, seconds);
            var exactUsPerSecond = rate * stopwatchNs / 1000;
            var ratio = exactUsPerSecond > 0 ? clockUsPerSecond / exactUsPerSecond : double.NaN;
            Console.WriteLine($"{rate,7:N0}     {perAdd,20:F1}     {clockUsPerSecond,20:F1}     {exactUsPerSecond,22:F1}     {ratio,22:F2}x");
        }
    }

    private static (double PerAdd, double ClockUsPerSecond) Measure(int rate, double seconds)
    {
        var meterName = $"ClockCost.{rate}";
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("c");
        var options = new LsstMetricsOptions { Url = "http://127.0.0.1:1", Org = "o", Bucket = "b", Token = "t", App = "bench" };
        options.Meters.Add(meterName);
        using var client = new LsstMetricsClient(MetricsSettings.Resolve(options), NullLogger.Instance, new DiscardingWriter());

        var clockThread = FindClockThread();
        var clockBefore = ThreadCpuNs(clockThread);
        var perBurst = Math.Max(1, rate / 1000);
        var sleepMs = rate >= 1000 ? 1 : 1000 / rate;
        long adds = 0;
        long addCpu = 0;
        long emptyCpu = 0;
        var run = Stopwatch.StartNew();
        while (run.Elapsed.TotalSeconds < seconds)
        {
            Thread.Sleep(sleepMs);
            var start = ThreadCpuClock.Now();
            for (var i = 0; i < perBurst; i++)
            {
                counter.Add(1);
            }

            var middle = ThreadCpuClock.Now();
            var end = ThreadCpuClock.Now();
            addCpu += middle - start;
            emptyCpu += end - middle;
            adds += perBurst;
        }

        var elapsed = run.Elapsed.TotalSeconds;
        var clockCpu = ThreadCpuNs(clockThread) - clockBefore;
        return ((addCpu - emptyCpu) / (double)adds, clockCpu / 1000.0 / elapsed);
    }

    /// <summary>The task id of the client's clock thread (its name, cut to Linux's 15 bytes), or null.</summary>
    private static string? FindClockThread()
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("Lsst.Metrics c", StringComparison.Ordinal))
                {
                    return task;
                }
            }
            catch (IOException)
            {
            }
        }

        return null;
    }

    /// <summary>Nanoseconds the task has run (the first field of schedstat); 0 when unknown.</summary>
    private static long ThreadCpuNs(string? task)
    {
        if (task is null)
        {
            return 0;
        }

        try
        {
            return long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static double StopwatchCostNs()
    {
        const int N = 2_000_000;
        long sink = 0;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < N; i++)
        {
            sink += Stopwatch.GetTimestamp();
        }

        GC.KeepAlive(sink);
        return sw.Elapsed.TotalNanoseconds / N;
    }
}

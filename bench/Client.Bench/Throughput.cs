using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lsst.Metrics.Client.Bench;

/// <summary>
/// Sustained measurements per second delivered with no loss into a loopback /api/v2/write listener that runs in a
/// child process (so this process's memory is the app's): paced steps of rising rate, each checked for loss, then
/// one unpaced burst.
/// </summary>
internal static class Throughput
{
    private static readonly int[] Rates = [250_000, 500_000, 750_000, 1_000_000, 1_500_000, 2_000_000];

    public static async Task<bool> RunAsync(double stepSeconds)
    {
        using var listener = await ListenerProcess.StartAsync();
        var meterName = $"Throughput.M{Guid.NewGuid():N}";
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("requests");
        var histogram = meter.CreateHistogram<double>("duration", "ms");
        var route = new KeyValuePair<string, object?>("route", "/login");

        var options = new LsstMetricsOptions { Url = listener.Url, Org = "rubin", Bucket = "apps", Token = LoopbackListener.Token, App = "bench" };
        options.Meters.Add(meterName);
        await using var client = new LsstMetricsClient(MetricsSettings.Resolve(options), NullLogger.Instance, writer: null);

        Console.WriteLine();
        Console.WriteLine($"Throughput into a loopback listener (child process), {Environment.ProcessorCount} cores, buffer {options.BufferCapacity} slots x {MeasurementRing.SlotSize} B = {client.BufferBytes / 1024.0 / 1024.0:F1} MiB preallocated, batch {options.BatchSize}:");
        Console.WriteLine($"{"target/s",16} {"achieved/s",11} {"delivered/s",12} {"lost",6} {"peak buffered",14} {"alloc MB/s",11} {"heap MiB",9} {"RSS MiB",8}");

        // Warm-up (JIT, connections), not reported.
        await StepAsync(client, listener, 100_000, 1, counter, histogram, route);

        // The machine is shared: a step that loses measurements is tried once more before the search stops.
        var bestNoLoss = 0.0;
        foreach (var rate in Rates)
        {
            var ok = false;
            for (var attempt = 1; attempt <= 2 && !ok; attempt++)
            {
                var r = await StepAsync(client, listener, rate, stepSeconds, counter, histogram, route);
                Console.WriteLine(r.Format($"{rate.ToString("N0", CultureInfo.InvariantCulture)}{(attempt > 1 ? " (2nd)" : "")}"));
                ok = r.Lost == 0 && r.Achieved >= rate * 0.95;
                if (ok)
                {
                    bestNoLoss = Math.Max(bestNoLoss, r.Delivered);
                }
            }

            if (!ok)
            {
                break;
            }
        }

        var burst = await StepAsync(client, listener, rate: 0, stepSeconds, counter, histogram, route);
        Console.WriteLine(burst.Format("unpaced"));

        Console.WriteLine($"Highest sustained rate delivered with no loss: {bestNoLoss:N0} measurements/s (goal >= 500,000/s: {(bestNoLoss >= 500_000 ? "met" : "NOT met")}); ratio to goal {bestNoLoss / 500_000:F2}x");
        var s = client.Statistics;
        Console.WriteLine($"Client totals: recorded {s.Recorded:N0}, sent {s.Sent:N0}, dropped {s.Dropped:N0}, failed {s.Failed:N0}, retries {s.Retries:N0}");
        return true;
    }

    private static async Task<StepResult> StepAsync(LsstMetricsClient client, ListenerProcess listener, int rate, double seconds,
        Counter<long> counter, Histogram<double> histogram, KeyValuePair<string, object?> route)
    {
        await client.FlushAsync();
        var before = client.Statistics;
        var linesBefore = await listener.LinesAsync();
        var allocBefore = GC.GetTotalAllocatedBytes(precise: false);

        var peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, client.Statistics.Buffered);
                await Task.Delay(5, CancellationToken.None);
            }
        });

        var sw = Stopwatch.StartNew();
        long n = 0;
        double v = 0;
        var total = rate == 0 ? long.MaxValue : (long)(rate * seconds);
        while (n < total)
        {
            var elapsed = sw.Elapsed.TotalSeconds;
            if (elapsed >= seconds)
            {
                break;
            }

            var due = rate == 0 ? n + 1000 : Math.Min(total, (long)(elapsed * rate));
            if (n >= due)
            {
                Thread.Sleep(1);
                continue;
            }

            var burst = Math.Min(due - n, 1000);
            for (var i = 0; i < burst; i += 2)
            {
                counter.Add(1, route);
                histogram.Record(v += 0.25, route);
            }

            n += burst + (burst & 1);
        }

        var recordSeconds = sw.Elapsed.TotalSeconds;
        await client.FlushAsync();
        var deliverSeconds = sw.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;

        var after = client.Statistics;
        var delivered = await listener.LinesAsync() - linesBefore;
        var recorded = after.Recorded - before.Recorded;
        var lost = recorded - delivered;
        var alloc = GC.GetTotalAllocatedBytes(precise: false) - allocBefore;
        return new StepResult(
            Achieved: recorded / recordSeconds,
            Delivered: delivered / deliverSeconds,
            Lost: lost,
            PeakBuffered: peak,
            AllocMBps: alloc / deliverSeconds / 1e6,
            HeapMiB: GC.GetGCMemoryInfo().HeapSizeBytes / 1024.0 / 1024.0,
            RssMiB: Environment.WorkingSet / 1024.0 / 1024.0);
    }

    private sealed record StepResult(double Achieved, double Delivered, long Lost, int PeakBuffered, double AllocMBps, double HeapMiB, double RssMiB)
    {
        public string Format(string target)
            => $"{target,16} {Achieved,11:N0} {Delivered,12:N0} {Lost,6} {PeakBuffered,14:N0} {AllocMBps,11:F1} {HeapMiB,9:F1} {RssMiB,8:F1}";
    }
}

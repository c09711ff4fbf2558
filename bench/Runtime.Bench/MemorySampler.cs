using System.Diagnostics;

namespace MetricsOperator.Runtime.Bench;

/// <summary>Samples the process's RSS and managed heap every 50 ms and keeps the maxima of the current window.</summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private long maxRss;
    private long maxHeap;

    public MemorySampler() => loop = Task.Run(LoopAsync);

    public const double MiB = 1024 * 1024;

    /// <summary>The kernel's high-water mark of this process's RSS (VmHWM).</summary>
    public static long PeakRss()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <summary>RssAnon and RssFile (KiB lines of /proc/self/status, in bytes): what RSS is made of; 0 when unavailable.</summary>
    public static (long Anon, long File) RssParts()
    {
        long anon = 0, file = 0;
        try
        {
            foreach (var line in System.IO.File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anon = Kib(line);
                }
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
                {
                    file = Kib(line);
                }
            }
        }
        catch (IOException)
        {
        }

        return (anon, file);

        static long Kib(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The maxima since the last call, and starts a new window.</summary>
    public (long Rss, long Heap) TakeWindow()
    {
        Sample();
        return (Interlocked.Exchange(ref maxRss, 0), Interlocked.Exchange(ref maxHeap, 0));
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Sample()
    {
        Max(ref maxRss, Environment.WorkingSet);
        Max(ref maxHeap, GC.GetTotalMemory(forceFullCollection: false));
    }

    private static void Max(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

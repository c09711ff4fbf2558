using System.Diagnostics;
using MetricsOperator.Runtime.Metrics;
using Microsoft.Extensions.Logging;

namespace MetricsOperator.Runtime.Memory;

/// <summary>
/// Gives the memory of an allocation burst back to the system once the burst is over (<see cref="BurstEnd"/> over the
/// bytes the process allocated), with one aggressive GC. Bursts are the sync after a start, the relists after the API
/// server comes back, each resync. The workstation GC keeps the free regions a burst leaves as its budget for later
/// allocation and gives them back a region every other GC at best, and it never gives back the unused tail of a region
/// still in use; only an induced aggressive GC does both (dotnet/runtime's GC: <c>distribute_free_regions</c>,
/// <c>reason_induced_aggressive</c>). Without it, five API server restarts left the operator holding 12 MiB more RSS
/// with the same live objects (docs/performance.md, thirteenth pass). It costs one compacting GC of the live heap per
/// burst (17-43 ms for 27 MiB of live objects), when the process is otherwise idle.
/// </summary>
public sealed class HeapTrimmer(RuntimeMetrics metrics, BurstEnd burstEnd, Func<long> allocatedBytes, ILogger logger, TimeProvider? time = null)
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <summary>Looks every <paramref name="interval"/> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Look();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One look: trims the heap when a burst has just ended; returns whether it did.</summary>
    public bool Look()
    {
        if (!burstEnd.Ended(allocatedBytes(), clock.GetUtcNow()))
        {
            return false;
        }

        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var started = Stopwatch.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = GC.GetGCMemoryInfo().TotalCommittedBytes;
        metrics.HeapTrims.Inc();
        logger.LogInformation(
            "Gave back the memory of an allocation burst: GC committed {Before:F1} -> {After:F1} MiB in {Milliseconds:F0} ms",
            before / 1048576.0, after / 1048576.0, elapsed.TotalMilliseconds);
        return true;
    }
}

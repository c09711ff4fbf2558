using System.Diagnostics;
using MetricsOperator.Runtime.Metrics;
using Microsoft.Extensions.Logging;

namespace MetricsOperator.Runtime.Memory;

/// <summary>
/// Gives the memory of a burst of reconciles back to the system once the burst is over (<see cref="BurstEnd"/>), with
/// one aggressive GC. A burst is the sync after a start, the relist after the API server comes back (every object is
/// queued again), and each resync. The workstation GC keeps the free regions such a burst leaves as its budget for
/// later allocation and gives them back only a few MiB per GC, and it never gives back the unused tail of a region
/// still in use; only an induced aggressive GC does both (dotnet/runtime's gc: <c>distribute_free_regions</c>,
/// <c>reason_induced_aggressive</c>). Without it, five API server restarts left the operator holding 12 MiB more RSS
/// with the same live objects (docs/performance.md, thirteenth pass). Its cost is one compacting GC of the live heap
/// per burst (tens of milliseconds for 30 MiB), when there is no other work.
/// </summary>
public sealed class HeapTrimmer(RuntimeMetrics metrics, BurstEnd burstEnd, TimeSpan interval, ILogger logger, TimeProvider? time = null)
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <summary>Looks every <c>interval</c> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (burstEnd.Ended(metrics.Reconciles, clock.GetUtcNow()))
                {
                    Trim();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Trim()
    {
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var started = Stopwatch.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = GC.GetGCMemoryInfo().TotalCommittedBytes;
        metrics.HeapTrims.Inc();
        logger.LogInformation(
            "Gave back the memory of a burst of reconciles: GC committed {Before:F1} -> {After:F1} MiB in {Milliseconds:F0} ms",
            before / 1048576.0, after / 1048576.0, elapsed.TotalMilliseconds);
    }
}

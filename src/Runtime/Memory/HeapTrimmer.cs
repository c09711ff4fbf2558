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
/// <para>
/// It also trims, when the process is quiet, once the last full GC found at least <paramref name="fragmentedBytes"/>
/// more free space inside the heap than the last trim left: a full GC that does not compact leaves the holes where it
/// freed objects, and work that allocates too little to be a burst can still free objects in the oldest generation.
/// After API server restarts whose relists allocated little (docs/performance.md, fourteenth pass) the heap held
/// 2.9-3.4 MiB of such space that nothing compacted. 0 turns that trigger off.
/// </para>
/// <para>
/// And it trims during a burst, at most once per <see cref="MinBurstTrimInterval"/>, when the GC holds at least
/// <paramref name="burstSlackBytes"/> committed beyond the heap its last GC left (<see cref="GCMemoryInfo.TotalCommittedBytes"/>
/// less <see cref="GCMemoryInfo.HeapSizeBytes"/>): the free regions it keeps for the burst's next allocations. A long
/// burst (the sync after a start: 1000 AppAlerts in 13-19 s) otherwise peaks with them on top of its live objects, and
/// the peak is what a pod's memory limit meets. 0 turns that trigger off.
/// </para>
/// </summary>
public sealed class HeapTrimmer(
    RuntimeMetrics metrics,
    BurstEnd burstEnd,
    Func<long> allocatedBytes,
    ILogger logger,
    TimeProvider? time = null,
    long fragmentedBytes = 0,
    Func<long>? lastFullGcFragmentedBytes = null,
    long burstSlackBytes = 0,
    Func<long>? gcSlackBytes = null)
{
    /// <summary>The least time between two trims during one burst: each is a compacting GC of the whole heap (10-40 ms at full size).</summary>
    public static readonly TimeSpan MinBurstTrimInterval = TimeSpan.FromSeconds(1);

    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly Func<long> fragmentation = lastFullGcFragmentedBytes ?? (() => GC.GetGCMemoryInfo(GCKind.FullBlocking).FragmentedBytes);
    private readonly Func<long> slack = gcSlackBytes ?? GcSlackBytes;
    private long fragmentedAfterLastTrim;
    private DateTimeOffset lastTrim = DateTimeOffset.MinValue;

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

    /// <summary>
    /// One look: trims the heap when a burst has just ended, when it is quiet and holes have grown, or during a burst
    /// when the GC keeps too much beyond its heap; returns whether it did.
    /// </summary>
    public bool Look()
    {
        var now = clock.GetUtcNow();
        string why;
        if (burstEnd.Ended(allocatedBytes(), now))
        {
            why = "an allocation burst";
        }
        else if (fragmentedBytes > 0 && burstEnd.IsQuiet(now) && fragmentation() - fragmentedAfterLastTrim >= fragmentedBytes)
        {
            why = "free space inside the heap";
        }
        else if (burstSlackBytes > 0 && !burstEnd.IsQuiet(now) && now - lastTrim >= MinBurstTrimInterval && slack() >= burstSlackBytes)
        {
            why = "free regions kept during a burst";
        }
        else
        {
            return false;
        }

        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var slackBefore = slack();
        var started = Stopwatch.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = GC.GetGCMemoryInfo().TotalCommittedBytes;
        fragmentedAfterLastTrim = fragmentation();
        lastTrim = now;
        metrics.HeapTrims.Inc();
        logger.LogInformation(
            "Gave back the memory of {Why}: GC committed {Before:F1} -> {After:F1} MiB ({Slack:F1} MiB of it beyond the heap before) in {Milliseconds:F0} ms",
            why, before / 1048576.0, after / 1048576.0, slackBefore / 1048576.0, elapsed.TotalMilliseconds);
        return true;
    }

    // What the GC keeps committed beyond the heap its last GC (of any generation) left.
    private static long GcSlackBytes()
    {
        var last = GC.GetGCMemoryInfo();
        return last.TotalCommittedBytes - last.HeapSizeBytes;
    }
}

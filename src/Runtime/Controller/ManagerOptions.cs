using MetricsOperator.Runtime.Cache;
using MetricsOperator.Runtime.Leader;

namespace MetricsOperator.Runtime.Controller;

/// <summary>Settings of a <see cref="Manager"/>.</summary>
public sealed record ManagerOptions
{
    /// <summary>The operator's name: field manager of every apply, value of the managed-by label, Event source. Default <c>metrics-operator</c>.</summary>
    public string Name { get; init; } = "metrics-operator";

    /// <summary>Watch only this namespace; null watches all.</summary>
    public string? Namespace { get; init; }

    /// <summary>Workers per controller. Default 2.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Informer resync period. Default 10 minutes; zero disables.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The annotation that records the hash of what was applied.</summary>
    public string HashAnnotation { get; init; } = "metrics.lsst.io/applied-hash";

    /// <summary>First retry delay after a failed reconcile (doubles per failure). Default 5 ms.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Longest retry delay. Default 1000 s.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(1000);

    /// <summary>
    /// Bytes allocated that make a burst whose memory is given back once it ends (<see cref="Memory.HeapTrimmer"/>):
    /// one aggressive GC after at least this much allocation followed by <see cref="HeapTrimQuiet"/> with no more than
    /// <see cref="HeapTrimQuietBytes"/>. Default 16 MiB (eight gen0 budgets of the image's 2 MiB; with 64 MiB the
    /// relists of five API server restarts went untrimmed, docs/performance.md, thirteenth pass); 0 never.
    /// </summary>
    public long HeapTrimAfterBytes { get; init; } = 16L << 20;

    /// <summary>How long allocation stays low before a burst counts as over. Default 5 s.</summary>
    public TimeSpan HeapTrimQuiet { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>What the process may allocate within <see cref="HeapTrimQuiet"/> and still be quiet (probes, lease renewals). Default 1 MiB.</summary>
    public long HeapTrimQuietBytes { get; init; } = 1L << 20;

    /// <summary>
    /// Free space inside the managed heap, found by a full GC beyond what the last trim left, that is also given back
    /// once the process is quiet (<see cref="Memory.HeapTrimmer"/>). Default 1 MiB (API server restarts left 2.9-3.4
    /// MiB that nothing compacted, docs/performance.md, fourteenth pass, and 1.6 MiB under the 2 MiB this was then,
    /// fifteenth pass); 0 never.
    /// </summary>
    public long HeapTrimFragmentedBytes { get; init; } = 1L << 20;

    /// <summary>
    /// Memory the GC may keep committed beyond its heap during a burst before it is given back there and then, at most
    /// once a second (<see cref="Memory.HeapTrimmer"/>). Default 2 MiB (the image's gen0 budget): 16 trims of 10-39 ms
    /// in the full benchmark's sync and a peak 1-2 MiB under 4 MiB's (docs/performance.md, fifteenth pass); 0 never.
    /// </summary>
    public long HeapTrimBurstSlackBytes { get; init; } = 2L << 20;

    /// <summary>Leader election; null runs controllers without it (a single replica, or tests).</summary>
    public LeaderElectionOptions? LeaderElection { get; init; }

    /// <summary>Informer reconnect and paging settings (namespace, selector and resync come from this record).</summary>
    public InformerOptions Informers { get; init; } = new();
}

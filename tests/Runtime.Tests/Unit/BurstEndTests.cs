using MetricsOperator.Runtime.Memory;
using MetricsOperator.Runtime.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace MetricsOperator.Runtime.Tests.Unit;

public class BurstEndTests
{
    private const long MiB = 1 << 20;
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double seconds) => Start.AddSeconds(seconds);

    [Fact]
    public void A_burst_ends_once_after_the_quiet_period_not_while_it_goes_on()
    {
        var burst = new BurstEnd(minimum: 64 * MiB, quiet: TimeSpan.FromSeconds(5), quietTolerance: MiB);

        // 150 MiB over 3 s.
        burst.Ended(50 * MiB, At(1)).ShouldBeFalse();
        burst.Ended(100 * MiB, At(2)).ShouldBeFalse();
        burst.Ended(150 * MiB, At(3)).ShouldBeFalse();

        burst.Ended((150 * MiB) + 100_000, At(7.9)).ShouldBeFalse("4.9 s of little allocation is not yet quiet");
        burst.Ended((150 * MiB) + 200_000, At(8)).ShouldBeTrue("5 s with less than 1 MiB allocated after a 150 MiB burst");
        burst.Ended((150 * MiB) + 300_000, At(9)).ShouldBeFalse("one burst, one end");
        burst.Ended((150 * MiB) + 900_000, At(600)).ShouldBeFalse("an idle process's trickle is no burst");
    }

    [Fact]
    public void Allocation_beyond_the_tolerance_starts_the_quiet_period_again()
    {
        var burst = new BurstEnd(minimum: 64 * MiB, quiet: TimeSpan.FromSeconds(5), quietTolerance: MiB);
        burst.Ended(100 * MiB, At(0)).ShouldBeFalse();
        burst.Ended((101 * MiB) + 1, At(4)).ShouldBeFalse("more than 1 MiB since the quiet began: it begins again");
        burst.Ended((101 * MiB) + 1, At(8)).ShouldBeFalse("4 s since");
        burst.Ended((101 * MiB) + 1, At(9)).ShouldBeTrue();
    }

    [Fact]
    public void Smaller_bursts_add_up_to_one()
    {
        var burst = new BurstEnd(minimum: 64 * MiB, quiet: TimeSpan.FromSeconds(5), quietTolerance: MiB);
        burst.Ended(100 * MiB, At(0)).ShouldBeFalse();
        burst.Ended(100 * MiB, At(5)).ShouldBeTrue();

        burst.Ended(140 * MiB, At(10)).ShouldBeFalse();
        burst.Ended(140 * MiB, At(20)).ShouldBeFalse("40 MiB since the last end are not a burst");
        burst.Ended(170 * MiB, At(30)).ShouldBeFalse();
        burst.Ended(170 * MiB, At(35)).ShouldBeTrue("70 MiB since the last end are");
    }

    [Fact]
    public void Settings_out_of_range_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new BurstEnd(0, TimeSpan.FromSeconds(5), MiB));
        Should.Throw<ArgumentOutOfRangeException>(() => new BurstEnd(1, TimeSpan.FromSeconds(-1), MiB));
        Should.Throw<ArgumentOutOfRangeException>(() => new BurstEnd(1, TimeSpan.FromSeconds(5), -1));
    }

    [Fact]
    public void The_trimmer_runs_one_aggressive_gc_when_a_burst_ends_and_counts_it()
    {
        var metrics = new RuntimeMetrics(new CollectorRegistry());
        var allocated = 0L;
        var time = new SteppedTime(Start);
        var trimmer = new HeapTrimmer(metrics, new BurstEnd(64 * MiB, TimeSpan.FromSeconds(5), MiB), () => allocated, NullLogger.Instance, time);
        var aggressiveBefore = GC.CollectionCount(GC.MaxGeneration);

        allocated = 100 * MiB;
        trimmer.Look().ShouldBeFalse();
        time.Now = At(5);
        trimmer.Look().ShouldBeTrue();
        trimmer.Look().ShouldBeFalse();

        metrics.HeapTrims.Value.ShouldBe(1);
        GC.CollectionCount(GC.MaxGeneration).ShouldBeGreaterThan(aggressiveBefore, "a full GC ran");
    }

    [Fact]
    public void The_trimmer_gives_back_free_space_a_full_GC_found_once_the_process_is_quiet()
    {
        var time = new SteppedTime(At(0));
        var metrics = new RuntimeMetrics(Prometheus.Metrics.NewCustomRegistry());
        long allocated = 0;
        long fragmented = 0;
        var trimmer = new HeapTrimmer(metrics, new BurstEnd(64 * MiB, TimeSpan.FromSeconds(5), MiB), () => allocated, NullLogger.Instance, time, fragmentedBytes: 2 * MiB, lastFullGcFragmentedBytes: () => fragmented);

        // Holes, but the process is busy: no trim.
        fragmented = 3 * MiB;
        allocated = 4 * MiB;
        trimmer.Look().ShouldBeFalse();
        time.Now = At(3);
        trimmer.Look().ShouldBeFalse();

        // Quiet for 5 s, and far less than a burst allocated: the holes alone make the trim.
        time.Now = At(5);
        trimmer.Look().ShouldBeTrue();
        metrics.HeapTrims.Value.ShouldBe(1);

        // Judged against what the trim left (pinned objects a compaction cannot move stay), not against zero.
        time.Now = At(20);
        trimmer.Look().ShouldBeFalse("the same 3 MiB the trim left");
        fragmented = 4 * MiB;
        trimmer.Look().ShouldBeFalse("1 MiB more than the trim left is under the threshold");
        fragmented = 5 * MiB;
        trimmer.Look().ShouldBeTrue("2 MiB more than the trim left");
        metrics.HeapTrims.Value.ShouldBe(2);
    }

    [Fact]
    public void The_trimmer_gives_back_what_the_GC_keeps_beyond_its_heap_during_a_burst_at_most_once_a_second()
    {
        var time = new SteppedTime(At(0));
        var metrics = new RuntimeMetrics(Prometheus.Metrics.NewCustomRegistry());
        long allocated = 0;
        long slack = 0;
        var trimmer = new HeapTrimmer(metrics, new BurstEnd(64 * MiB, TimeSpan.FromSeconds(5), MiB), () => allocated, NullLogger.Instance, time, burstSlackBytes: 4 * MiB, gcSlackBytes: () => slack);

        // Busy (more than the quiet tolerance each second), and the GC keeps 3 MiB beyond its heap: under the threshold.
        slack = 3 * MiB;
        for (var second = 1; second <= 3; second++)
        {
            allocated += 20 * MiB;
            time.Now = At(second);
            trimmer.Look().ShouldBeFalse();
        }

        slack = 6 * MiB;
        allocated += 20 * MiB;
        time.Now = At(4);
        trimmer.Look().ShouldBeTrue("6 MiB kept beyond the heap while busy");

        allocated += 20 * MiB;
        time.Now = At(4.5);
        trimmer.Look().ShouldBeFalse("half a second after the last trim");
        allocated += 20 * MiB;
        time.Now = At(5.5);
        trimmer.Look().ShouldBeTrue("a second and a half after it");
        metrics.HeapTrims.Value.ShouldBe(2);

        // Quiet: the burst's end trims once (its own trigger), and the slack alone does not trim an idle process.
        time.Now = At(10.5);
        trimmer.Look().ShouldBeTrue("the burst ended");
        time.Now = At(20);
        trimmer.Look().ShouldBeFalse("quiet: no trim for slack");
        metrics.HeapTrims.Value.ShouldBe(3);
    }

    private sealed class SteppedTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

using Lsst.Metrics.Client.Tests.Support;

namespace Lsst.Metrics.Client.Tests;

/// <summary>The shipper's pairing of the Stopwatch and the wall clock, which every point's Unix time comes from.</summary>
public class ClockAnchorTests
{
    [Fact]
    public void A_pair_read_across_a_preemption_is_set_aside_for_a_tighter_one()
    {
        // Stopwatch ticks read by the anchor, two per try: the first try's wall-clock read "waits" 30 ms.
        var ticks = new Queue<long>([1_000, 30_001_000, 30_002_000, 30_002_400]);
        var unix = new Queue<long>([5_000_000_000, 5_030_001_500]);

        var anchor = ClockAnchor.Read(() => ticks.Dequeue(), () => unix.Dequeue());

        anchor.ShouldBe(new ClockAnchor(30_002_200, 5_030_001_500), "the second try, 400 ticks wide, paired at its midpoint");
        ticks.ShouldBeEmpty();
        unix.ShouldBeEmpty("a tight pair ends the tries");
    }

    [Fact]
    public void After_three_wide_tries_the_tightest_is_kept()
    {
        var ticks = new Queue<long>([0, 50_000, 100_000, 120_000, 200_000, 290_000]);
        var unix = new Queue<long>([1, 2, 3]);

        ClockAnchor.Read(() => ticks.Dequeue(), () => unix.Dequeue()).ShouldBe(new ClockAnchor(110_000, 2));
        ticks.ShouldBeEmpty("three tries and no more");
    }

    [Fact]
    public void The_anchor_from_the_process_clocks_is_read_during_the_call()
    {
        var before = TestOptions.UnixNanosNow();
        var anchor = ClockAnchor.Now();
        var after = TestOptions.UnixNanosNow();

        anchor.UnixNs.ShouldBeInRange(before, after);
        System.Diagnostics.Stopwatch.GetElapsedTime(anchor.StopwatchTicks).ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }
}

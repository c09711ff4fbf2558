using System.Diagnostics;

namespace Lsst.Metrics.Client.Tests;

/// <summary>The record path's clock: the kernel's coarse monotonic clock, in Stopwatch's units, never ahead.</summary>
public class CoarseClockTests
{
    [Fact]
    public void On_Linux_it_is_the_coarse_clock_with_a_tick_of_at_most_ten_milliseconds_elsewhere_the_exact_one()
    {
        CoarseClock.IsCoarse.ShouldBe(OperatingSystem.IsLinux(), "CLOCK_MONOTONIC_COARSE is Linux's");
        if (CoarseClock.IsCoarse)
        {
            CoarseClock.Resolution.ShouldBeGreaterThan(TimeSpan.Zero);
            CoarseClock.Resolution.ShouldBeLessThanOrEqualTo(TimeSpan.FromMilliseconds(10), "CONFIG_HZ is 100 at the least");
        }
        else
        {
            CoarseClock.Resolution.ShouldBe(TimeSpan.Zero);
        }
    }

    [Fact]
    public void A_reading_is_never_ahead_of_the_exact_clock_and_follows_it_within_a_tick_and_its_handling()
    {
        var lags = new List<long>();
        var last = 0L;
        var run = Stopwatch.StartNew();
        while (run.ElapsedMilliseconds < 200)
        {
            var coarse = CoarseClock.Now();
            var exact = Stopwatch.GetTimestamp();
            coarse.ShouldBeLessThanOrEqualTo(exact, "a reading is never in the future");
            coarse.ShouldBeGreaterThanOrEqualTo(last, "readings never go back");
            last = coarse;
            lags.Add(exact - coarse);
        }

        // Stopwatch counts nanoseconds wherever the coarse clock is used. Measured here: 1.0–5.4 ms behind with a 4 ms
        // tick; a preemption between the two reads can lengthen one lag, so the bound is on nearly all of them; and on a
        // virtual machine the host can deliver a tick late (one CI run: 7.9 ms at the 99th percentile), so two ticks.
        var bound = ((CoarseClock.Resolution * 2) + TimeSpan.FromMilliseconds(4)).TotalNanoseconds;
        lags.Order().ElementAt(lags.Count * 99 / 100).ShouldBeLessThanOrEqualTo((long)bound);
        Stopwatch.GetElapsedTime(last).ShouldBeLessThan(TimeSpan.FromMilliseconds(100), "the readings moved with time");
    }
}

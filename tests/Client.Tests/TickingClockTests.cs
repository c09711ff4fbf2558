using System.Diagnostics;

namespace Lsst.Metrics.Client.Tests;

/// <summary>The record path's clock: exact when it wakes, at most a tick old while measurements flow, stopped when idle.</summary>
public class TickingClockTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_reading_while_stopped_is_the_exact_clock_and_starts_the_ticking()
    {
        long activity = 0;
        using var clock = new TickingClock(() => Volatile.Read(ref activity));
        clock.Ticking.ShouldBeFalse("nothing was read yet: nothing ticks");

        var before = Stopwatch.GetTimestamp();
        var reading = clock.Now;
        var after = Stopwatch.GetTimestamp();

        reading.ShouldBeInRange(before, after);
        clock.Ticking.ShouldBeTrue();
    }

    [Fact]
    public void While_measurements_flow_a_reading_is_never_ahead_and_at_most_a_few_ticks_behind()
    {
        long activity = 0;
        using var clock = new TickingClock(() => Volatile.Read(ref activity));
        var worstLag = TimeSpan.Zero;
        var last = 0L;
        var stop = Stopwatch.StartNew();
        while (stop.Elapsed < TimeSpan.FromMilliseconds(300))
        {
            Interlocked.Increment(ref activity);
            var reading = clock.Now;
            var exact = Stopwatch.GetTimestamp();
            reading.ShouldBeLessThanOrEqualTo(exact, "a reading is never in the future");
            reading.ShouldBeGreaterThanOrEqualTo(last, "readings never go back");
            last = reading;
            var lag = Stopwatch.GetElapsedTime(reading, exact);
            worstLag = lag > worstLag ? lag : worstLag;
        }

        clock.Ticking.ShouldBeTrue("activity kept it ticking");

        // One tick is about a millisecond; a shared 2-core test machine can hold the thread back a few more.
        worstLag.ShouldBeLessThan(TimeSpan.FromMilliseconds(50));
        Stopwatch.GetElapsedTime(last).ShouldBeLessThan(TimeSpan.FromMilliseconds(50), "the value moved along with time");
    }

    [Fact]
    public async Task It_stops_when_activity_stops_and_the_next_reading_restarts_it_exactly()
    {
        long activity = 0;
        using var clock = new TickingClock(() => Volatile.Read(ref activity));
        _ = clock.Now;
        clock.Ticking.ShouldBeTrue();

        await WaitUntil(() => !clock.Ticking);

        await Task.Delay(20);
        var before = Stopwatch.GetTimestamp();
        clock.Now.ShouldBeGreaterThanOrEqualTo(before, "a reading after a pause is not the value left from before it");
        clock.Ticking.ShouldBeTrue();
    }

    [Fact]
    public void Dispose_ends_the_thread_and_later_readings_are_exact()
    {
        long activity = 0;
        var clock = new TickingClock(() => Volatile.Read(ref activity));
        _ = clock.Now;
        clock.ThreadAlive.ShouldBeTrue();
        clock.Dispose();

        clock.ThreadAlive.ShouldBeFalse();
        clock.Ticking.ShouldBeFalse();
        var before = Stopwatch.GetTimestamp();
        clock.Now.ShouldBeGreaterThanOrEqualTo(before);
        clock.Ticking.ShouldBeFalse("a disposed clock does not start again");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            deadline.Elapsed.ShouldBeLessThan(Guard, "the clock should have stopped ticking");
            await Task.Delay(5);
        }
    }
}

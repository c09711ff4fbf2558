using System.Diagnostics;

namespace Lsst.Metrics.Client;

/// <summary>
/// A <see cref="Stopwatch"/> reading and the wall clock in Unix nanoseconds at the same instant: the shipper turns
/// each batch's record times (Stopwatch ticks) into Unix time from one anchor.
/// </summary>
internal readonly record struct ClockAnchor(long StopwatchTicks, long UnixNs)
{
    private const int Tries = 3;

    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    /// <summary>A pair read closer together than this is taken at once (10 µs).</summary>
    private static readonly long TightTicks = Stopwatch.Frequency / 100_000;

    /// <summary>The anchor now, from the process's clocks.</summary>
    public static ClockAnchor Now() => Read(Stopwatch.GetTimestamp, static () => (DateTime.UtcNow.Ticks - UnixEpochTicks) * 100);

    /// <summary>
    /// Reads the wall clock between two Stopwatch readings and pairs it with their midpoint, keeping the tightest of a
    /// few tries. Two reads one after the other would pair the wall clock with a Stopwatch reading from before a
    /// preemption of the shipper's thread between them (tens of milliseconds on a loaded machine), and every point of
    /// the batch would be stamped that much after it was recorded.
    /// </summary>
    public static ClockAnchor Read(Func<long> stopwatch, Func<long> unixNs)
    {
        var best = default(ClockAnchor);
        var bestGap = long.MaxValue;
        for (var i = 0; i < Tries && bestGap > TightTicks; i++)
        {
            var before = stopwatch();
            var unix = unixNs();
            var gap = stopwatch() - before;
            if (gap < bestGap)
            {
                bestGap = gap;
                best = new ClockAnchor(before + (gap / 2), unix);
            }
        }

        return best;
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Lsst.Metrics.Client;

/// <summary>
/// The record path's clock: Linux's <c>CLOCK_MONOTONIC_COARSE</c>, the monotonic clock as of the kernel's last timer
/// tick, in the same nanoseconds as <see cref="Stopwatch.GetTimestamp"/> (which reads <c>CLOCK_MONOTONIC</c>), so the
/// shipper converts both the same way. Elsewhere (or if the call fails) it is <see cref="Stopwatch.GetTimestamp"/>.
/// </summary>
/// <remarks>
/// Why coarse: every measurement carries its own time, and an exact reading costs 22–24 ns on the machines measured
/// (the vDSO reads the TSC under a sequence lock and scales it), twice the OpenTelemetry SDK's whole
/// <c>Counter.Add</c>; the coarse one is a copy of a kernel variable, 6–7 ns through the same kind of call. A reading
/// is about one kernel tick old at most (<see cref="Resolution"/>: 4 ms at <c>CONFIG_HZ=250</c>, 1 ms at 1000), plus
/// the tick's own handling: measured here, 1.0–5.4 ms behind <c>CLOCK_MONOTONIC</c>, never ahead. Measurements
/// within one tick keep their order through the shipper's nanosecond steps. A thread that refreshed a
/// shared value every millisecond would make a reading cost one field load, but it cost 22 ms of CPU per second here
/// (docs/performance.md), far more than it saves.
/// </remarks>
internal static partial class CoarseClock
{
    private const int ClockMonotonicCoarse = 6;

    /// <summary>Whether the coarse clock is used (read once; the JIT folds the test away).</summary>
    public static readonly bool IsCoarse = Probe();

    /// <summary>The kernel tick the coarse clock moves by (a reading can be this old and a little more); zero when exact.</summary>
    public static TimeSpan Resolution { get; } = IsCoarse && ClockGetResolution(ClockMonotonicCoarse, out var res) == 0
        ? TimeSpan.FromTicks(res.TotalNanoseconds / 100)
        : TimeSpan.Zero;

    /// <summary>Raw <see cref="Stopwatch"/> ticks, about <see cref="Resolution"/> old at most.</summary>
    public static long Now()
    {
        if (IsCoarse)
        {
            ClockGetTime(ClockMonotonicCoarse, out var ts);
            return ts.TotalNanoseconds;
        }

        return Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// The coarse clock only where it counts in Stopwatch's units (Linux: nanoseconds of <c>CLOCK_MONOTONIC</c>), the
    /// call works, and its reading is within a second behind Stopwatch's.
    /// </summary>
    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || Stopwatch.Frequency != 1_000_000_000)
        {
            return false;
        }

        try
        {
            if (ClockGetTime(ClockMonotonicCoarse, out var ts) != 0)
            {
                return false;
            }

            var lag = Stopwatch.GetTimestamp() - ts.TotalNanoseconds;
            return lag is >= 0 and < 1_000_000_000;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    // SuppressGCTransition: a vDSO read that neither blocks nor calls back, like the runtime's own clock calls.
    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    [SuppressGCTransition]
    private static partial int ClockGetTime(int clock, out Timespec ts);

    [LibraryImport("libc", EntryPoint = "clock_getres")]
    private static partial int ClockGetResolution(int clock, out Timespec res);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;

        public readonly long TotalNanoseconds => (Seconds * 1_000_000_000) + Nanoseconds;
    }
}

/// <summary>The record path's clock, as a type argument (see <c>LsstMetricsClient.SetRecordCallbacks</c>).</summary>
internal interface IRecordClock
{
    /// <summary>Raw <see cref="Stopwatch"/> ticks.</summary>
    long Now();
}

/// <summary>The default: <see cref="CoarseClock"/>.</summary>
internal readonly struct CoarseRecordClock : IRecordClock
{
    public long Now() => CoarseClock.Now();
}

/// <summary><c>ExactTimestamps</c>: <see cref="Stopwatch.GetTimestamp"/>, 20–30 ns a call on the machines measured.</summary>
internal readonly struct ExactRecordClock : IRecordClock
{
    public long Now() => Stopwatch.GetTimestamp();
}

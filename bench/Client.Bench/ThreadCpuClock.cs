using System.Runtime.InteropServices;

namespace Lsst.Metrics.Client.Bench;

/// <summary>
/// CPU time the calling thread has used (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>): what a call costs the
/// recording thread itself, without the time another process held the CPU. On a machine shared by several builds a
/// burst's wall-clock time grows with the load average (the longer the burst, the more often the thread waits for a
/// core); its CPU time does not. Null where the clock is not available.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && TryNow(out _);

    /// <summary>Nanoseconds of CPU used by this thread so far.</summary>
    public static long Now() => TryNow(out var ns) ? ns : 0;

    private static bool TryNow(out long ns)
    {
        ns = 0;
        try
        {
            if (ClockGetTime(ClockThreadCpuTimeId, out var ts) != 0)
            {
                return false;
            }

            ns = (ts.Seconds * 1_000_000_000) + ts.Nanoseconds;
            return true;
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

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out Timespec value);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

using System.Runtime.InteropServices;

namespace MetricsOperator.Hosting;

/// <summary>
/// How the C allocator (glibc's malloc: zlib, OpenSSL and the runtime's native parts allocate through it) keeps large
/// blocks. glibc maps a block of 128 KiB or more on its own and unmaps it when freed, but after the first such free it
/// raises that threshold to the block's size (up to 32 MiB), so later blocks of that size come from its arenas (one
/// per thread that contended, up to eight per core), which keep freed memory for reuse. Every rule group the
/// snapshot packs opens a deflate stream, whose zlib state is one block of some 300 KiB, on whichever pool thread
/// reconciles: with the threshold raised, the operator held 12 MiB more anonymous memory after the sync than before
/// it packed (docs/performance.md, sixteenth pass). Fixing the threshold keeps such blocks mapped on their own.
/// </summary>
internal static class NativeHeap
{
    /// <summary>The threshold fixed at start: glibc's own default.</summary>
    public const int MmapThresholdBytes = 128 * 1024;

    // mallopt's parameter number for the threshold (glibc's malloc.h).
    private const int MallocMmapThreshold = -3;

    /// <summary>
    /// Fixes the threshold (setting it turns glibc's adjustment off); false where the C library is not glibc, which
    /// has no such adjustment to turn off or no <c>mallopt</c>.
    /// </summary>
    public static bool FixMmapThreshold()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return MallOpt(MallocMmapThreshold, MmapThresholdBytes) == 1;
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

    // DllImport, not LibraryImport: two ints in, one out, nothing to marshal, and no unsafe code for the project.
    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);
}

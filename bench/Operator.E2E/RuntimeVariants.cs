using System.Globalization;

namespace MetricsOperator.E2E;

/// <summary>
/// Runtime settings tried side by side on the same load, as environment variables of the operator process (what a
/// Deployment's env or the image's ENV would set). The first is what ships (the runtimeconfig of the publish).
/// </summary>
internal static class RuntimeVariants
{
    public static IReadOnlyList<RuntimeVariant> All { get; } =
    [
        new("shipped", new Dictionary<string, string>()),
        new("conserve=9", new Dictionary<string, string> { ["DOTNET_GCConserveMemory"] = "9" }),
        // The runtime's own gen0 budget (sized from the L3 cache), where the image sets 4 MiB (Dockerfile ENV); 0 = unset.
        new("gen0=default", new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0" }),
        // 3000000 (hex) = 48 MiB: the managed heap capped below the 64 MiB target. GC values are hex digits without 0x:
        // Native AOT ignores a value with the prefix (the JIT reads both; docs/performance.md, twelfth pass).
        new("hardlimit=48MiB", new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "3000000" }),
        new("server+DATAS", new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_GCDynamicAdaptationMode"] = "1" }),
        // No W^X double mapping of JIT'd code (the /memfd:doublemapper mapping, RssShmem), which also costs startup time.
        new("W^X=0", new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0" }),
        // Dynamic PGO back on (the runtime's default; the shipped runtimeconfig turns it off).
        new("TieredPGO=1", new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "1" }),
        // Every method JIT'd fully optimised on its first call: no slow tier-0 code in the first reconciles, more JIT up front.
        new("TC=0", new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0" }),
        new("conserve+gen0", new Dictionary<string, string> { ["DOTNET_GCConserveMemory"] = "9", ["DOTNET_GCgen0size"] = "400000" }),
        new("W^X=0+gen0", new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0", ["DOTNET_GCgen0size"] = "400000" }),
        // glibc's malloc arenas capped at 2 (it makes up to 8 per core, one per thread that contends): native memory
        // (OpenSSL's TLS state, the runtime's own allocations) outside the managed heap.
        // The GC's regions at 1 MiB instead of 4 (a power of two; 100000 hex): a generation's partly used region and each
        // free region kept as budget hold less. The basic region size is read once at start (GCRegionSize).
        new("regions=1MiB", new Dictionary<string, string> { ["DOTNET_GCRegionSize"] = "100000" }),
        // The gen0 budget capped at 6 MiB (what the image set until the fifteenth pass) or 1 MiB instead of the image's
        // 2: fewer or more gen0 GCs, more or less taken between them.
        new("gen0max=6MiB", new Dictionary<string, string> { ["DOTNET_GCGen0MaxBudget"] = "600000" }),
        new("gen0max=1MiB", new Dictionary<string, string> { ["DOTNET_GCGen0MaxBudget"] = "100000" }),
        // The shared array pool keeping its default 32 arrays of each size per partition (one per core), where the image
        // keeps 4 since the fifteenth pass (docs/performance.md).
        new("pool=32", new Dictionary<string, string> { ["DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION"] = "32" }),
        new("malloc-arenas=2", new Dictionary<string, string> { ["MALLOC_ARENA_MAX"] = "2" }),
        // Not a runtime setting but the operator's own: reconcile workers per controller (run --workers; 2 ships).
        new("workers=4", new Dictionary<string, string>(), ["--workers", "4"]),
        new("workers=8", new Dictionary<string, string>(), ["--workers", "8"]),
        new("workers=16", new Dictionary<string, string>(), ["--workers", "16"]),
    ];

    public static void PrintSideBySide(IReadOnlyList<Figures> results, TextWriter output)
    {
        output.WriteLine("variants side by side (same load, same run; ratios against the first):");
        output.WriteLine($"  {"variant",-16} {"peak MiB",9} {"synced MiB",10} {"GC'd MiB",9} {"restart +MiB",12} {"heap MiB",8} {"startup ms",10} {"sync s",7} {"edit p50",8} {"sync CPU/alert",14} {"edit CPU",8} {"peak ratio",10}");
        var baseline = results[0];
        foreach (var f in results)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {f.Variant,-16} {f.PeakRssMiB,9:F1} {f.LoadedRssMiB,10:F1} {f.RssBeforeRestartsMiB,9:F1} {f.RssAfterRestartsMiB - f.RssBeforeRestartsMiB,12:+0.0;-0.0;+0.0} {f.HeapAfterRestartsMiB,8:F1} {f.FirstReconcileMs,10:F0} {f.AlertsSyncedSeconds,7:F2} {f.EditP50Ms,8:F1} {f.SyncCpuMsPerAlert,14:F1} {f.EditCpuMs,8:F1} {f.PeakRssMiB / baseline.PeakRssMiB,10:F2}"));
        }
    }
}

/// <summary>One way of running the operator: environment variables (runtime settings) and extra `run` arguments.</summary>
internal sealed record RuntimeVariant(string Name, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<string>? Arguments = null);

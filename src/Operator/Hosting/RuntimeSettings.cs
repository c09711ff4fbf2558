using System.Globalization;
using System.Runtime.CompilerServices;

namespace MetricsOperator.Hosting;

/// <summary>
/// The garbage collector's settings as the runtime took them, printed once at start. The image sets some through the
/// environment (Dockerfile ENV), and a value the runtime cannot read is dropped without a word: Native AOT ignores
/// <c>DOTNET_GCgen0size=0x400000</c>, which the JIT reads, so the image's 4 MiB gen0 budget did nothing for the binary
/// it ships until this line showed it (docs/performance.md, twelfth pass). What the GC reports is the only proof.
/// </summary>
internal static class RuntimeSettings
{
    /// <summary>One line: the code's form (Native AOT or JIT) and the GC's mode, gen0 budget ceiling and heap limit.</summary>
    public static string Describe() => Describe(GC.GetConfigurationVariables(), RuntimeFeature.IsDynamicCodeSupported);

    /// <summary>The line for <paramref name="gc"/> (<see cref="GC.GetConfigurationVariables"/>'s names).</summary>
    internal static string Describe(IReadOnlyDictionary<string, object> gc, bool jit)
    {
        var server = Flag(gc, "ServerGC");
        var concurrent = Flag(gc, "ConcurrentGC");
        var gen0 = Number(gc, "GCGen0MaxBudget");
        var limit = Number(gc, "GCHeapHardLimit");
        var conserve = Number(gc, "GCConserveMem");
        return string.Create(CultureInfo.InvariantCulture,
            $"Runtime: {(jit ? "JIT" : "Native AOT")}; GC: {(server ? "server" : "workstation")}, {(concurrent ? "concurrent" : "non-concurrent")}, "
            + $"gen0 budget at most {Mib(gen0)}, heap hard limit {(limit > 0 ? Mib(limit) : "none")}, conserve memory {conserve}.");
    }

    private static bool Flag(IReadOnlyDictionary<string, object> gc, string name) =>
        gc.TryGetValue(name, out var value) && value is bool flag && flag;

    private static long Number(IReadOnlyDictionary<string, object> gc, string name) =>
        gc.TryGetValue(name, out var value) && value is IConvertible number ? number.ToInt64(CultureInfo.InvariantCulture) : 0;

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB");
}

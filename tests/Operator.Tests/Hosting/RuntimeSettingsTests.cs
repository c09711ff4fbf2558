using MetricsOperator.Hosting;

namespace MetricsOperator.Tests.Hosting;

public sealed class RuntimeSettingsTests
{
    [Fact]
    public void The_line_says_what_the_gc_took()
    {
        var gc = new Dictionary<string, object>
        {
            ["ServerGC"] = false,
            ["ConcurrentGC"] = false,
            ["GCGen0MaxBudget"] = 6291456L,
            ["GCHeapHardLimit"] = 0L,
            ["GCConserveMem"] = 0L,
        };

        RuntimeSettings.Describe(gc, jit: false).ShouldBe("Runtime: Native AOT; GC: workstation, non-concurrent, gen0 budget at most 6.0 MiB, heap hard limit none, conserve memory 0.");

        gc["ServerGC"] = true;
        gc["ConcurrentGC"] = true;
        gc["GCHeapHardLimit"] = 50331648L;
        gc["GCConserveMem"] = 9L;
        RuntimeSettings.Describe(gc, jit: true).ShouldBe("Runtime: JIT; GC: server, concurrent, gen0 budget at most 6.0 MiB, heap hard limit 48.0 MiB, conserve memory 9.");
    }

    [Fact]
    public void This_process_is_described_from_its_own_gc()
    {
        // The test host runs JIT'd code with the GC it was given: the line reads the runtime, not a constant.
        var line = RuntimeSettings.Describe();

        line.ShouldStartWith("Runtime: JIT; GC: ");
        line.ShouldContain($"gen0 budget at most {GC.GetConfigurationVariables()["GCGen0MaxBudget"] switch { IConvertible n => (n.ToInt64(null) / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), _ => "?" }} MiB");
    }
}

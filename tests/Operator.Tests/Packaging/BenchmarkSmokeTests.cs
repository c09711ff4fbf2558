using System.Diagnostics;
using MetricsOperator.Tests.Integration;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Packaging;

/// <summary>
/// Every benchmark project builds with the solution (warnings as errors, by the test command) and runs to its end in a
/// seconds-long smoke mode, so a benchmark that no longer builds or crashes fails CI instead of rotting (Stack.Bench did:
/// it was outside the solution). Figures from these runs mean nothing; the benchmarks' own commands (README) measure.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class BenchmarkSmokeTests
{
    public static TheoryData<string, string, string[], string> Benchmarks() => new()
    {
        { "Stack.Bench", "MetricsOperator.Stack.Bench.dll", ["1"], "ratio operator/kubectl:" },
        { "Runtime.Bench", "MetricsOperator.Runtime.Bench.dll", ["--count", "5", "--reconnects", "1", "--resync", "1"], "no RSS growth across 1 reconnects" },
        { "Operator.Bench", "MetricsOperator.Bench.dll", ["20", "2", "2", "5"], "contract violations:" },
        { "Client.Bench", "Lsst.Metrics.Client.Bench.dll", ["record", "--smoke"], "Record path goal" },
        { "Backup.Bench", "MetricsOperator.Backup.Bench.dll", ["--dir", "1"], "peak RSS MiB" },
        // Not a benchmark but the heap walk its figures came from (docs/performance.md, sixteenth pass), on a child of its own.
        { "HeapOwners", "MetricsOperator.HeapOwners.dll", ["--demo"], "demo: as expected" },
        // The operator as built (not published: a publish per smoke run costs minutes); its own command publishes.
        { "Operator.E2E", "MetricsOperator.E2E.Bench.dll", ["--size", "small", "--published", $"src/Operator/bin/{BuildConfiguration}/net10.0"], "targets:" },
        { "Operator.E2E", "MetricsOperator.E2E.Bench.dll", ["--startup", "1", "--published", $"src/Operator/bin/{BuildConfiguration}/net10.0"], "RSS < 64 MiB (here with nothing loaded)" },
    };

    [Theory]
    [MemberData(nameof(Benchmarks))]
    public async Task The_benchmark_runs_to_its_end(string project, string assembly, string[] args, string lastSection)
    {
        var dll = Path.Combine(RepoPaths.InRepo("bench", project, "bin"), BuildConfiguration, "net10.0", assembly);
        File.Exists(dll).ShouldBeTrue($"{dll} was not built: is {project} in Operator.sln?");
        var (exitCode, printed, error) = await RunAsync(project, dll, args);
        if (exitCode == HeapOwnersAttachHung && project == "HeapOwners")
        {
            // ClrMD's ptrace attach waited past HeapOwners' 30 s watchdog, which then exits: the only way to let the
            // stopped child go. It has happened only with the machine loaded (in one of the two loaded runs of the whole
            // solution since the child runs without tiered compilation, never quiet), so the walk gets a second child
            // once; a second hang fails the test.
            (exitCode, printed, error) = await RunAsync(project, dll, args);
        }

        exitCode.ShouldBe(0, $"{project} {string.Join(' ', args)}:\n{printed}\n{error}");
        printed.ShouldContain(lastSection, Case.Sensitive, $"{project} did not reach its last section");
    }

    /// <summary>HeapOwners' exit code when its attach watchdog fired (HeapReport.Walk).</summary>
    private const int HeapOwnersAttachHung = 3;

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string project, string dll, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A benchmark that hangs is killed with whatever it started, so it does not outlive the test, and what it
            // printed is the failure's message.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{project} {string.Join(' ', args)} did not end in 4 minutes:\n{await output}\n{await error}");
        }

        return (process.ExitCode, await output, await error);
    }

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif
}

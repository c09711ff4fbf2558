using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Lsst.Metrics.Client.Bench;

// dotnet run -c Release --project bench/Client.Bench -- [all|record|check|throughput] [seconds-per-step]
// "listen" is internal: the child process that hosts the loopback write endpoint.
var mode = args.Length > 0 ? args[0] : "all";
switch (mode)
{
    case "listen":
        await LoopbackListener.RunAsync();
        return 0;
    case "record":
        RunRecord();
        return 0;
    case "check":
        RecordPathCheck.Run();
        return 0;
    case "throughput":
        return await Throughput.RunAsync(StepSeconds(args)) ? 0 : 1;
    case "all":
        RunRecord();
        return await Throughput.RunAsync(StepSeconds(args)) ? 0 : 1;
    default:
        Console.Error.WriteLine("usage: Client.Bench [all|record|check|throughput] [seconds-per-step]");
        return 2;
}

static double StepSeconds(string[] args)
    => args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3;

static void RunRecord()
{
    // ShortRun (3 warm-ups, 3 measured iterations, 1 launch), in process so that it needs no extra build.
    var config = DefaultConfig.Instance
        .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProc"))
        .WithOptions(ConfigOptions.JoinSummary);
    var summary = BenchmarkRunner.Run<RecordBenchmarks>(config);
    PrintRatios(summary);
    RecordPathCheck.Run();
}

static void PrintRatios(Summary summary)
{
    var rows = summary.Reports
        .Where(r => r.ResultStatistics is not null)
        .Select(r => (
            Method: r.BenchmarkCase.Descriptor.WorkloadMethod.Name,
            Listener: (Listener)r.BenchmarkCase.Parameters["Listener"],
            Ns: r.ResultStatistics!.Mean,
            Bytes: r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) ?? -1))
        .ToList();

    Console.WriteLine();
    Console.WriteLine("Record path, side by side (mean ns/op, allocated B/op):");
    Console.WriteLine($"{"method",-16} {"nothing",18} {"this client",18} {"OpenTelemetry",18} {"client/OTel",12} {"client-nothing",15}");
    foreach (var method in rows.Select(r => r.Method).Distinct())
    {
        string Cell(Listener l)
        {
            var r = rows.FirstOrDefault(x => x.Method == method && x.Listener == l);
            return r.Method is null ? "n/a" : $"{r.Ns,8:F1} ns {r.Bytes,4} B";
        }

        double Ns(Listener l) => rows.FirstOrDefault(x => x.Method == method && x.Listener == l).Ns;
        var ratio = Ns(Listener.LsstClient) / Ns(Listener.OpenTelemetry);
        var overhead = Ns(Listener.LsstClient) - Ns(Listener.None);
        Console.WriteLine($"{method,-16} {Cell(Listener.None),18} {Cell(Listener.LsstClient),18} {Cell(Listener.OpenTelemetry),18} {ratio,11:F2}x {overhead,12:F1} ns");
    }

    var client = rows.Where(r => r.Listener == Listener.LsstClient).ToList();
    var ok = client.All(r => r.Ns <= 100 && r.Bytes == 0);
    Console.WriteLine($"Goal <= 100 ns and 0 B per record with this client listening: {(ok ? "met" : "NOT met")}");
}

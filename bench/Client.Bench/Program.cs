using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Lsst.Metrics.Client.Bench;

// dotnet run -c Release --project bench/Client.Bench -- [all|record|throughput|bdn] [--smoke | seconds-per-step]
// "listen" is internal: the child process that hosts the loopback write endpoint.
var mode = args.Length > 0 ? args[0] : "all";
var smoke = args.Contains("--smoke");
switch (mode)
{
    case "listen":
        await LoopbackListener.RunAsync();
        return 0;
    case "record":
        // A MISS is a result, not a failure of the command: the exit code says only that it ran to its end.
        RecordComparison.Run(smoke);
        return 0;
    case "bdn":
        RunBenchmarkDotNet();
        return 0;
    case "throughput":
        return await Throughput.RunAsync(StepSeconds(args, smoke)) ? 0 : 1;
    case "all":
        RecordComparison.Run(smoke);
        return await Throughput.RunAsync(StepSeconds(args, smoke)) ? 0 : 1;
    default:
        Console.Error.WriteLine("usage: Client.Bench [all|record|throughput|bdn] [--smoke | seconds-per-step]");
        return 2;
}

static double StepSeconds(string[] args, bool smoke)
    => smoke ? 0.2 : args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3;

// A cross-check of the record table with BenchmarkDotNet (ShortRun, in process so that it needs no extra build). Its
// byte column counts the whole process, so with this client it includes the shipper's formatting on its own thread.
static void RunBenchmarkDotNet()
{
    var config = DefaultConfig.Instance
        .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProc"))
        .WithOptions(ConfigOptions.JoinSummary);
    BenchmarkRunner.Run<RecordBenchmarks>(config);
}

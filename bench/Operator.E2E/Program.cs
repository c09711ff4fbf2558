using System.Globalization;
using MetricsOperator.E2E;

// End-to-end benchmark of the published operator binary (the Dockerfile's publish), in its own process, on the local
// API server (etcd + kube-apiserver 1.20) with the InfluxDB and Grafana fakes and the kubelet stand-in in this process.
// Prints each phase's figures, the operator's API server requests (from the API server's audit log), the fakes'
// requests, and the targets of ../shared/DESIGN.md with PASS/MISS.
//   dotnet run -c Release --project bench/Operator.E2E -- [--size full|small|alerts=<n>] [--published <folder>] [--variants | --variant <name>...]
//     [--restarts <n>] [--gcdump <folder>] [--operator-log <file>]
//   dotnet run -c Release --project bench/Operator.E2E -- --startup [<n>] [--published <folder>]
// --startup starts the published binary <n> times (default 5) against an API server that never answers and prints
// exec-to-/healthz and RSS after 5 s, with the startup and RSS targets (StartupRun); it runs in seconds.
// --restarts overrides the size's API server restart count; --gcdump writes a heap dump (dotnet-gcdump, on PATH) of the
// operator after the full GC before the restarts and after them, to compare what the restarts left behind (a Native AOT
// build's dump names types by address: look them up with nm in the metrics-operator.dbg the publish writes beside it);
// --operator-log appends everything the operator prints (JSON lines, timestamped) to a file.
// --variants runs the same load once per runtime setting (GC and JIT environment variables, RuntimeVariants) and prints
// them side by side; --variant <name> (repeatable) runs only those, after the shipped settings.
var size = BenchSize.Full;
string? published = null;
var variants = false;
var only = new List<string>();
string? gcdump = null;
string? operatorLog = null;
int? startups = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--size": size = BenchSize.Parse(args[++i]); break;
        case "--published": published = Path.GetFullPath(args[++i]); break;
        case "--variants": variants = true; break;
        case "--variant": variants = true; only.Add(args[++i]); break;
        case "--restarts": size = size with { Restarts = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--gcdump": gcdump = Path.GetFullPath(args[++i]); break;
        case "--operator-log": operatorLog = Path.GetFullPath(args[++i]); break;
        case "--startup":
            startups = 5;
            if (i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var count))
            {
                startups = count;
                i++;
            }

            break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

if (gcdump is not null && PublishedOperator.GcDumpTool() is null)
{
    // Found now, not after the minutes the run takes to reach its first dump.
    Console.Error.WriteLine("--gcdump needs dotnet-gcdump: dotnet tool install -g dotnet-gcdump");
    return 2;
}

if (only.FirstOrDefault(name => RuntimeVariants.All.All(v => v.Name != name)) is { } unknown)
{
    Console.Error.WriteLine($"unknown variant {unknown}; the variants are {string.Join(", ", RuntimeVariants.All.Select(v => v.Name))}");
    return 2;
}

var repository = Repository();
published ??= await PublishedOperator.PublishAsync(repository, Console.Out);
if (startups is { } times)
{
    Console.WriteLine($"Operator startup ({times} starts, no API server): operator {Path.Combine(published, "metrics-operator")}, {Environment.ProcessorCount} CPUs, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; published folder {FolderMiB(published):F1} MiB");
    return await StartupRun.RunAsync(repository, published, times, Console.Out);
}

Console.WriteLine($"Operator end-to-end benchmark ({size.Name}): {size}; operator {Path.Combine(published, "metrics-operator")}, {Environment.ProcessorCount} CPUs, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
var frameworkDependent = File.Exists(Path.Combine(published, "metrics-operator.dll"));
Console.WriteLine($"published folder: {FolderMiB(published):F1} MiB ({(frameworkDependent ? "framework-dependent: it needs the .NET runtime image (runtime:10.0) beneath it" : "self-contained: the image adds it to the runtime-deps:10.0 image, no .NET runtime")})");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
var run = new E2ERun(repository, published, size, Console.Out, gcdump, operatorLog);
// The shipped settings always run first: the ratios are against them.
var chosen = !variants ? RuntimeVariants.All.Take(1)
    : only.Count == 0 ? RuntimeVariants.All
    : RuntimeVariants.All.Take(1).Concat(RuntimeVariants.All.Skip(1).Where(v => only.Contains(v.Name)));
var results = new List<Figures>();
foreach (var variant in chosen)
{
    results.Add(await run.RunAsync(variant, stop.Token));
}

if (variants)
{
    RuntimeVariants.PrintSideBySide(results, Console.Out);
}

var shipped = results[0];
Console.WriteLine($"targets (../shared/DESIGN.md), shipped settings ({shipped.Variant}):");
var checks = Targets.Check(shipped, size);
foreach (var (target, measured, met) in checks)
{
    Console.WriteLine($"  {met switch { true => "PASS", false => "MISS", null => "----" }}  {target}: {(met is null ? "not measured in this run" : measured)}");
}

var unmeasured = checks.Count(c => c.Met is null);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"targets: {checks.Count(c => c.Met == true)} PASS, {checks.Count(c => c.Met == false)} MISS{(unmeasured > 0 ? $", {unmeasured} not measured" : "")}"));
return 0;

static double FolderMiB(string folder) => new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) / 1024.0 / 1024.0;

static string Repository()
{
    for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
    {
        if (File.Exists(Path.Combine(folder.FullName, "Operator.sln")))
        {
            return folder.FullName;
        }
    }

    throw new InvalidOperationException("run from inside the checkout: the benchmark installs config/ and publishes src/Operator");
}

// Where a running .NET process's live objects are, by what holds them: attaches to the process (ptrace: root or the
// same user), walks every object reachable from its roots with ClrMD, and prints the bytes by type, by the nearest
// holder that is not a framework type (a list, array, dictionary or string is charged to what holds it), and the
// strings held more than once. Exact sizes: dotnet-gcdump's report prints one size per type, which for strings and
// arrays is not their mean (docs/performance.md, sixteenth pass). For the JIT build of the operator (Native AOT has no
// DAC to read its heap with): publish without the Container profile, run it (bench/Operator.E2E --published <dir>),
// then `dotnet bench/HeapOwners/bin/Release/net10.0/MetricsOperator.HeapOwners.dll <pid>`. `--demo` runs it on a child
// process of its own (the smoke test).
using System.Diagnostics;
using MetricsOperator.HeapOwners;

if (args is ["--hold"])
{
    DemoHolder.HoldUntilStdinCloses();
    return 0;
}

if (args is ["--demo"])
{
    return Demo.Run(Environment.ProcessPath!, typeof(Demo).Assembly.Location);
}

if (args.Length != 1 || !int.TryParse(args[0], out var pid))
{
    Console.Error.WriteLine("usage: MetricsOperator.HeapOwners <pid> | --demo");
    return 2;
}

var started = Stopwatch.StartNew();
HeapReport.Print(HeapReport.Walk(pid), Console.Out);
Console.WriteLine($"walked in {started.Elapsed.TotalSeconds:F1} s");
return 0;

using System.Diagnostics;

namespace MetricsOperator.HeapOwners;

/// <summary>A child process holding known objects, walked as any other process would be: the smoke mode.</summary>
internal static class Demo
{
    public static int Run(string host, string assembly)
    {
        var info = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };

        // No tiered compilation in the child: its background compiler thread exits on its own a moment after start, and
        // a thread that exits while ClrMD attaches leaves the attach waiting for it forever (HeapReport's watchdog).
        info.Environment["DOTNET_TieredCompilation"] = "0";
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(assembly);
        }

        info.ArgumentList.Add("--hold");
        using var child = Process.Start(info)!;
        try
        {
            if (child.StandardOutput.ReadLine() != DemoHolder.Ready)
            {
                Console.Error.WriteLine("the child process did not get ready");
                return 1;
            }

            var walk = HeapReport.Walk(child.Id);
            HeapReport.Print(walk, Console.Out);
            // The walk must find what the child is known to hold, or its figures mean nothing.
            var owned = walk.ByOwner.GetValueOrDefault(typeof(DemoHolder).FullName!);
            var copies = walk.Strings.GetValueOrDefault(DemoHolder.Copied);
            Console.WriteLine($"demo: {typeof(DemoHolder).Name} owns {owned.Count} objects ({owned.Bytes} bytes); its copied text is held {copies.Count} times");
            if (owned.Count < DemoHolder.Distinct + DemoHolder.Copies || copies.Count < DemoHolder.Copies)
            {
                Console.WriteLine($"demo: expected at least {DemoHolder.Distinct + DemoHolder.Copies} objects and {DemoHolder.Copies} copies or more");
                return 1;
            }

            // Let go: the child reads its input to the end and exits, unless the walk left it stopped.
            child.StandardInput.Close();
            if (!child.WaitForExit(10_000))
            {
                Console.WriteLine("demo: the child did not exit within 10 s of its input closing: the walk left it stopped");
                return 1;
            }

            Console.WriteLine("demo: as expected");
            return 0;
        }
        finally
        {
            child.StandardInput.Close();
            if (!child.WaitForExit(10_000))
            {
                child.Kill();
            }
        }
    }
}

/// <summary>What the child holds: 1000 distinct strings and 100 copies of one, reachable from a static.</summary>
internal sealed class DemoHolder
{
    public const string Ready = "ready";

    public const int Distinct = 1000;

    public const int Copies = 100;

    public static readonly string Copied = new('c', 40);

    private static DemoHolder? held;

    private readonly List<string> texts = [.. Enumerable.Range(0, Distinct).Select(i => $"distinct text number {i}")];

    // Each a string of its own with the same text.
    private readonly string[] copies = [.. Enumerable.Range(0, Copies).Select(_ => new string(Copied.AsSpan()))];

    public static void HoldUntilStdinCloses()
    {
        held = new DemoHolder();
        Console.WriteLine(Ready);
        Console.Out.Flush();
        Console.In.ReadToEnd();
        GC.KeepAlive(held);
    }
}

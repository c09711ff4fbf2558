using System.Runtime.ExceptionServices;
using Microsoft.Diagnostics.Runtime;

namespace MetricsOperator.HeapOwners;

/// <summary>What one walk counted: bytes and objects by type, by owner, and by string text.</summary>
internal sealed record HeapWalk(int Pid, int Objects, long Bytes, Dictionary<string, Tally> ByType, Dictionary<string, Tally> ByOwner, Dictionary<string, Tally> Strings);

/// <summary>Bytes and objects.</summary>
internal readonly record struct Tally(long Bytes, int Count);

/// <summary>The walk and the three tables.</summary>
internal static class HeapReport
{
    private const int Rows = 40;

    /// <summary>Longest wait for the attach; it takes well under a second.</summary>
    private static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(30);

    public static HeapWalk Walk(int pid)
    {
        // ClrMD stops each of the process's threads with ptrace and waits for each to stop; a thread that exits in
        // between (a thread pool worker retiring, the tiered compiler's thread finishing) is waited for forever, with
        // the rest of the process stopped. Exiting is the only way out: it ends the trace and lets the process run on.
        // The walk runs on a thread of its own, attach to detach: ptrace takes requests only from the thread that
        // attached, and a detach from another leaves the process stopped until this one exits.
        using var attachEnded = new ManualResetEventSlim();
        HeapWalk? walk = null;
        ExceptionDispatchInfo? failure = null;
        var walker = new Thread(() =>
        {
            try
            {
                walk = WalkAttached(pid, attachEnded);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        });
        walker.Start();
        if (!attachEnded.Wait(AttachTimeout))
        {
            Console.Error.WriteLine($"attaching to process {pid} did not finish in {AttachTimeout.TotalSeconds:F0} s: one of its threads most likely exited while it was being stopped; run again");
            Environment.Exit(3);
        }

        walker.Join();
        failure?.Throw();
        return walk!;
    }

    // The attach, the walk and the detach, on the calling thread; attachEnded is set once the attach returned or threw.
    private static HeapWalk WalkAttached(int pid, ManualResetEventSlim attachEnded)
    {
        DataTarget attached;
        try
        {
            attached = DataTarget.AttachToProcess(pid, suspend: true);
        }
        finally
        {
            attachEnded.Set();
        }

        using var target = attached;
        var clr = target.ClrVersions[0];
        // The DAC beside the process's own runtime (the framework folder it loaded libcoreclr.so from): ClrMD's own search
        // asks a symbol server, which this machine cannot reach.
        var dac = Path.Combine(Path.GetDirectoryName(clr.ModuleInfo.FileName)!, "libmscordaccore.so");
        using var runtime = File.Exists(dac) ? clr.CreateRuntime(dac, ignoreMismatch: true) : clr.CreateRuntime();
        var heap = runtime.Heap;

        // Breadth first from the roots: each object's holder is the first object seen referring to it.
        var holder = new Dictionary<ulong, ulong>();
        var queue = new Queue<ulong>();
        foreach (var root in heap.EnumerateRoots())
        {
            if (root.Object.Address != 0 && holder.TryAdd(root.Object.Address, 0))
            {
                queue.Enqueue(root.Object.Address);
            }
        }

        while (queue.Count > 0)
        {
            var obj = heap.GetObject(queue.Dequeue());
            if (!obj.IsValid)
            {
                continue;
            }

            foreach (var reference in obj.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
            {
                if (reference != 0 && holder.TryAdd(reference, obj.Address))
                {
                    queue.Enqueue(reference);
                }
            }
        }

        var byType = new Dictionary<string, Tally>();
        var byOwner = new Dictionary<string, Tally>();
        var strings = new Dictionary<string, Tally>(StringComparer.Ordinal);
        long total = 0;
        foreach (var (address, heldBy) in holder)
        {
            var obj = heap.GetObject(address);
            if (!obj.IsValid || obj.Type?.Name is not { } type)
            {
                continue;
            }

            var size = (long)obj.Size;
            total += size;
            Add(byType, type, size);
            Add(byOwner, IsOwner(type) ? type : OwnerOf(heap, holder, heldBy), size);
            if (obj.Type.IsString)
            {
                Add(strings, obj.AsString(4096) ?? "", size);
            }
        }

        return new HeapWalk(pid, holder.Count, total, byType, byOwner, strings);
    }

    public static void Print(HeapWalk walk, TextWriter output)
    {
        output.WriteLine($"process {walk.Pid}: {walk.Objects} reachable objects, {walk.Bytes / 1e6:F2} MB");
        Table(output, "by type", walk.ByType);
        Table(output, "by owner (the nearest holder that is not a framework type)", walk.ByOwner);
        var copies = walk.Strings.Values.Sum(t => t.Bytes - (t.Bytes / t.Count));
        output.WriteLine($"--- strings held more than once: {copies / 1e3:F0} KB of copies");
        foreach (var (text, tally) in walk.Strings.Where(s => s.Value.Count > 1).OrderByDescending(s => s.Value.Bytes - (s.Value.Bytes / s.Value.Count)).Take(Rows / 2))
        {
            output.WriteLine($"{(tally.Bytes - (tally.Bytes / tally.Count)) / 1e3,9:F1} KB x{tally.Count,6}  {Short(text.ReplaceLineEndings(" "))}");
        }
    }

    // Framework containers and strings are charged to what holds them; anything else is an owner.
    private static bool IsOwner(string type) =>
        !(type.StartsWith("System.", StringComparison.Ordinal) || type.StartsWith("Microsoft.", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal));

    private static string OwnerOf(ClrHeap heap, Dictionary<ulong, ulong> holder, ulong address)
    {
        for (var depth = 0; address != 0 && depth < 64; depth++)
        {
            if (heap.GetObject(address).Type?.Name is { } name && IsOwner(name))
            {
                return name;
            }

            address = holder.GetValueOrDefault(address);
        }

        return "(held from a root)";
    }

    private static void Table(TextWriter output, string title, Dictionary<string, Tally> tallies)
    {
        output.WriteLine($"--- {title}");
        foreach (var (name, tally) in tallies.OrderByDescending(t => t.Value.Bytes).Take(Rows))
        {
            output.WriteLine($"{tally.Bytes / 1e3,9:F0} KB {tally.Count,8}  {Short(name)}");
        }
    }

    private static void Add(Dictionary<string, Tally> tallies, string key, long bytes)
    {
        var tally = tallies.GetValueOrDefault(key);
        tallies[key] = new Tally(tally.Bytes + bytes, tally.Count + 1);
    }

    private static string Short(string text) => text.Length > 120 ? text[..120] : text;
}

using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace MetricsOperator.E2E;

/// <summary>
/// The operator's garbage collections while it runs, from the runtime's own events: how many of each generation, and
/// the most it allocated between two of them (the allocation ticks, one per ~100 KB, summed between GCStart events).
/// The last figure is the gen0 budget as the GC really used it: after an API server restart a burst of reconciles
/// once took it to 106 MiB, which RSS followed (docs/performance.md, twelfth pass).
/// </summary>
internal sealed class GcWatch : IAsyncDisposable
{
    private readonly EventPipeSession session;
    private readonly Task reading;
    private readonly int[] collections = new int[3];
    private long allocatedSinceLast;
    private long mostBetweenTwo;

    private GcWatch(int processId)
    {
        // GC (0x1) at Verbose brings GCAllocationTick beside GCStart.
        var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", System.Diagnostics.Tracing.EventLevel.Verbose, 0x1) };
        session = new DiagnosticsClient(processId).StartEventPipeSession(providers, requestRundown: false, circularBufferMB: 64);
        reading = Task.Run(Read);
    }

    /// <summary>Starts watching the process.</summary>
    public static GcWatch Start(int processId) => new(processId);

    /// <summary>Stops watching and describes what was seen.</summary>
    public async Task<string> StopAsync()
    {
        await session.StopAsync(CancellationToken.None);
        await reading.WaitAsync(TimeSpan.FromSeconds(30));
        var most = Math.Max(mostBetweenTwo, allocatedSinceLast);
        return string.Create(CultureInfo.InvariantCulture,
            $"GCs {collections.Sum()} (gen0 {collections[0]}, gen1 {collections[1]}, gen2 {collections[2]}), at most {most / 1048576.0:F1} MiB allocated between two");
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        session.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Read()
    {
        using var source = new EventPipeEventSource(session.EventStream);
        source.Clr.GCAllocationTick += e => allocatedSinceLast += e.AllocationAmount64;
        source.Clr.GCStart += e =>
        {
            collections[Math.Clamp(e.Depth, 0, 2)]++;
            mostBetweenTwo = Math.Max(mostBetweenTwo, allocatedSinceLast);
            allocatedSinceLast = 0;
        };
        source.Process();
    }
}

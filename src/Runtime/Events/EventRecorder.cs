using System.Threading.Channels;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Runtime.Events;

/// <summary>The two Event types.</summary>
public static class EventTypes
{
    /// <summary>Something expected happened (a condition became True).</summary>
    public const string Normal = "Normal";

    /// <summary>Something needs attention (an error, a condition became False).</summary>
    public const string Warning = "Warning";
}

/// <summary>Records Events about objects.</summary>
public interface IEventRecorder
{
    /// <summary>
    /// Records a core/v1 Event on <paramref name="involved"/>, as of now. <paramref name="reason"/> is CamelCase;
    /// <paramref name="message"/> is for humans and must carry no secret (it is passed through <see cref="Redactor"/>
    /// as a guard). Returns at once and never throws: Events are best effort, written in the background.
    /// </summary>
    void Record(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message);
}

/// <summary>
/// Writes core/v1 Events the way client-go's recorder does: <see cref="Record"/> queues the Event and returns, and
/// writers in the background send it, so a reconcile never waits on an Event (nor on another reconcile's Event: one
/// writer for all would make every worker take turns at the API server). Events of one object keep their order (an
/// object's Events always go to the same writer). An Event repeated (same object, type, reason and message) bumps the
/// existing Event's count and lastTimestamp instead of creating another. The queue is bounded, as client-go's is
/// (1000 Events): when the API server cannot keep up, further Events are dropped and the drop is logged, rather than
/// memory growing without end.
/// </summary>
public sealed class EventRecorder : IEventRecorder, IAsyncDisposable
{
    /// <summary>How many Events may wait to be written, in all (client-go's <c>maxQueuedEvents</c>).</summary>
    public const int QueueLength = 1000;

    /// <summary>How many Events are written at once (each writer takes the objects whose UID hashes to it).</summary>
    public const int Writers = 4;

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<QueuedEvent>[] queues = new Channel<QueuedEvent>[Writers];
    private readonly Task[] writers = new Task[Writers];
    private readonly CancellationTokenSource stopping = new();
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private long dropped;
    private int disposed;

    /// <summary>Creates a recorder reporting as <paramref name="component"/> (the operator's name) from <paramref name="instance"/> (the pod).</summary>
    public EventRecorder(KubeApi api, string component, string? instance = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        this.logger = logger ?? NullLogger.Instance;
        time = timeProvider ?? TimeProvider.System;
        for (var i = 0; i < Writers; i++)
        {
            queues[i] = Channel.CreateBounded<QueuedEvent>(new BoundedChannelOptions(QueueLength / Writers)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once, which is when Record drops
            });
            var writer = new EventWriter(api, component, instance ?? Environment.MachineName, this.logger);
            var queue = queues[i].Reader;
            writers[i] = Task.Run(() => writer.RunAsync(queue, stopping.Token));
        }
    }

    /// <summary>Events dropped because the queue was full, since the recorder was made.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <inheritdoc/>
    public void Record(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(involved);
        var queued = QueuedEvent.Of(involved, type, reason, message, time.GetUtcNow().UtcDateTime);
        if (queues[WriterOf(queued.Uid)].Writer.TryWrite(queued))
        {
            return;
        }

        if (Volatile.Read(ref disposed) == 1)
        {
            logger.LogDebug("Event {Reason} on {Kind} {Name} not recorded: the recorder has stopped", queued.Reason, queued.Involved.Kind, queued.Involved.Name);
            return;
        }

        // Logged when the count reaches a power of two: a storm of drops is seen without a line per drop.
        var count = Interlocked.Increment(ref dropped);
        if ((count & (count - 1)) == 0)
        {
            logger.LogWarning("Dropped Event {Reason} on {Kind} {Name}: {Length} Events are waiting to be written already ({Count} dropped so far)",
                queued.Reason, queued.Involved.Kind, queued.Involved.Name, QueueLength, count);
        }
    }

    /// <summary>Waits until every Event recorded before this call has been written (or failed to be).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var markers = new Task[Writers];
        for (var i = 0; i < Writers; i++)
        {
            var marker = QueuedEvent.FlushMarker();
            await queues[i].Writer.WriteAsync(marker, cancellationToken).ConfigureAwait(false);
            markers[i] = marker.Flushed!.Task;
        }

        await Task.WhenAll(markers).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what is queued (for up to five seconds), then stops the writers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        foreach (var queue in queues)
        {
            queue.Writer.TryComplete();
        }

        try
        {
            await Task.WhenAll(writers).WaitAsync(DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("Stopped with Events not yet written: the API server did not take them within {Timeout}", DrainTimeout);
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(writers).ConfigureAwait(false); // the writers end on cancellation and never throw
        stopping.Dispose();
    }

    private static int WriterOf(string uid) => (int)((uint)StringComparer.Ordinal.GetHashCode(uid) % Writers);
}

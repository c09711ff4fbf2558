using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Logging;
using Microsoft.Extensions.Logging;

namespace MetricsOperator.Runtime.Events;

/// <summary>
/// One of <see cref="EventRecorder"/>'s background writers: takes its queue's Events in order and writes each, a
/// repeat as a patch of the Event it made before (count and lastTimestamp, as client-go does), anything else as a new
/// Event. Remembers a bounded number of recent Events; only its own loop touches that memory, so it needs no lock.
/// </summary>
internal sealed class EventWriter(KubeApi api, string component, string instance, ILogger logger)
{
    private const int MaxRemembered = 4096 / EventRecorder.Writers;
    private readonly Dictionary<(string Uid, string Type, string Reason, string Message), Remembered> recent = [];
    private readonly Queue<(string, string, string, string)> order = new();

    /// <summary>Writes what <paramref name="queue"/> holds until it is completed and empty, or until <paramref name="stopping"/>.</summary>
    public async Task RunAsync(ChannelReader<QueuedEvent> queue, CancellationToken stopping)
    {
        try
        {
            await foreach (var queued in queue.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                if (queued.Flushed is { } flushed)
                {
                    flushed.TrySetResult();
                    continue;
                }

                await WriteAsync(queued, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(QueuedEvent queued, CancellationToken cancellationToken)
    {
        var key = (queued.Uid, queued.Type, queued.Reason, queued.Message);
        try
        {
            if (recent.TryGetValue(key, out var seen))
            {
                seen.Count++;
                // metav1.Time: RFC 3339 to the second, as the API server stores it.
                var patch = new JsonObject { ["count"] = seen.Count, ["lastTimestamp"] = queued.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) }.ToJsonString();
                try
                {
                    await api.PatchAsync<Corev1Event>(seen.Namespace, seen.Name, PatchType.Merge, patch, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (KubeApiException e) when (e.IsNotFound)
                {
                    // The Event expired (the API server keeps them an hour): create a new one.
                    recent.Remove(key);
                }
            }

            var name = string.Create(CultureInfo.InvariantCulture, $"{queued.Involved.Name}.{queued.At.Ticks:x}{Random.Shared.Next():x}");
            var created = new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = queued.Namespace },
                InvolvedObject = queued.Involved,
                Type = queued.Type,
                Reason = queued.Reason,
                Message = queued.Message,
                Count = 1,
                FirstTimestamp = queued.At,
                LastTimestamp = queued.At,
                Source = new V1EventSource { Component = component },
                ReportingComponent = component,
                ReportingInstance = instance,
            };
            await api.CreateAsync(created, cancellationToken).ConfigureAwait(false);
            Remember(key, new Remembered(queued.Namespace, name));
        }
#pragma warning disable CA1031 // A writer outlives any one Event's failure: what it cannot write is logged, and the next Event is written.
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            logger.LogWarning("Could not record Event {Reason} on {Kind} {Name}: {Error}", queued.Reason, queued.Involved.Kind, queued.Involved.Name, ErrorText.Of(e));
        }
    }

    private void Remember((string, string, string, string) key, Remembered value)
    {
        recent[key] = value;
        order.Enqueue(key);
        while (order.Count > MaxRemembered)
        {
            recent.Remove(order.Dequeue());
        }
    }

    private sealed class Remembered(string @namespace, string name)
    {
        public string Namespace { get; } = @namespace;

        public string Name { get; } = name;

        public int Count { get; set; } = 1;
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
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
    /// Records a core/v1 Event on <paramref name="involved"/>. <paramref name="reason"/> is CamelCase;
    /// <paramref name="message"/> is for humans and must carry no secret (it is passed through <see cref="Redactor"/>
    /// as a guard). Never throws: Events are best effort.
    /// </summary>
    Task RecordAsync(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message, CancellationToken cancellationToken = default);
}

/// <summary>
/// Writes core/v1 Events like client-go's recorder: an Event repeated (same object, type, reason and message) bumps
/// the existing Event's count and lastTimestamp instead of creating another. The memory of recent Events is bounded.
/// </summary>
public sealed class EventRecorder : IEventRecorder, IDisposable
{
    private const int MaxRemembered = 4096;
    private readonly KubeApi api;
    private readonly string component;
    private readonly string instance;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly Dictionary<(string Uid, string Type, string Reason, string Message), Remembered> recent = [];
    private readonly Queue<(string, string, string, string)> order = new();
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>Creates a recorder reporting as <paramref name="component"/> (the operator's name) from <paramref name="instance"/> (the pod).</summary>
    public EventRecorder(KubeApi api, string component, string? instance = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        this.api = api ?? throw new ArgumentNullException(nameof(api));
        this.component = component;
        this.instance = instance ?? Environment.MachineName;
        this.logger = logger ?? NullLogger.Instance;
        time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public async Task RecordAsync(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(involved);
        message = Redactor.Redact(message);
        if (message.Length > 1024)
        {
            message = message[..1021] + "...";
        }

        var meta = involved.Metadata;
        var ns = string.IsNullOrEmpty(meta.NamespaceProperty) ? "default" : meta.NamespaceProperty;
        var key = (meta.Uid ?? meta.Name, type, reason, message);
        var now = time.GetUtcNow().UtcDateTime;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (recent.TryGetValue(key, out var seen))
            {
                seen.Count++;
                // metav1.Time: RFC 3339 to the second, as the API server stores it.
                var patch = new JsonObject { ["count"] = seen.Count, ["lastTimestamp"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) }.ToJsonString();
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

            var name = string.Create(CultureInfo.InvariantCulture, $"{meta.Name}.{now.Ticks:x}{Random.Shared.Next():x}");
            var created = new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                InvolvedObject = new V1ObjectReference
                {
                    ApiVersion = involved.ApiVersion,
                    Kind = involved.Kind,
                    Name = meta.Name,
                    NamespaceProperty = meta.NamespaceProperty,
                    Uid = meta.Uid,
                    ResourceVersion = meta.ResourceVersion,
                },
                Type = type,
                Reason = reason,
                Message = message,
                Count = 1,
                FirstTimestamp = now,
                LastTimestamp = now,
                Source = new V1EventSource { Component = component },
                ReportingComponent = component,
                ReportingInstance = instance,
            };
            await api.CreateAsync(created, cancellationToken).ConfigureAwait(false);
            Remember(key, new Remembered(ns, name));
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Could not record Event {Reason} on {Kind} {Name}: {Error}", reason, involved.Kind, meta.Name, e.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => gate.Dispose();

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

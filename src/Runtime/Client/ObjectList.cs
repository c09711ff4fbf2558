using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MetricsOperator.Runtime.Client;

/// <summary>A page of a list response: items plus the list's resourceVersion and continue token.</summary>
public sealed class ObjectList<T>
{
    /// <summary>The list metadata (resourceVersion, continue).</summary>
    [JsonPropertyName("metadata")]
    public V1ListMeta? Metadata { get; set; }

    /// <summary>The objects.</summary>
    [JsonPropertyName("items")]
    public IList<T> Items { get; set; } = [];
}

/// <summary>One watch event: the object (or the Status of an ERROR event).</summary>
public readonly record struct WatchEvent<T>(WatchEventType Type, T? Entity, V1Status? Status);

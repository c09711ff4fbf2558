using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Json;

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

    /// <summary>
    /// Reads a list response item by item with <typeparamref name="T"/>'s own metadata, so no application has to
    /// declare an <c>ObjectList</c> of each kind it lists in its JSON context.
    /// </summary>
#pragma warning disable CA1000 // ObjectList<T>.Read reads as the type it returns: the call site names T once.
    public static ObjectList<T> Read(byte[] utf8Json)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        var list = new ObjectList<T>();
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A list response is not a JSON object.");
        }

        var metadata = KubeJson.TypeInfo<V1ListMeta>();
        var item = KubeJson.TypeInfo<T>();
        var items = new List<T>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "metadata")
            {
                list.Metadata = JsonSerializer.Deserialize(ref reader, metadata);
            }
            else if (name == "items" && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(JsonSerializer.Deserialize(ref reader, item)!);
                }
            }
            else
            {
                reader.Skip();
            }
        }

        list.Items = items;
        return list;
    }
#pragma warning restore CA1000
}

/// <summary>One watch event: the object (or the Status of an ERROR event).</summary>
public readonly record struct WatchEvent<T>(WatchEventType Type, T? Entity, V1Status? Status);

using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s.Models;
using MetricsOperator.Runtime.Client;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// Reads a list response (<c>{"metadata": …, "items": […]}</c>) into <see cref="ObjectList{T}"/> with the item type's
/// own metadata, so a program registers its kinds and never each kind's list. Built per <typeparamref name="T"/> by
/// <see cref="ObjectListJson{T}"/>, which the generic list call names statically (no reflection, no MakeGenericType).
/// </summary>
internal sealed class ObjectListConverter<T> : JsonConverter<ObjectList<T>>
{
    public override ObjectList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"A list response must be an object, not {reader.TokenType}.");
        }

        var list = new ObjectList<T>();
        var items = new List<T>();
        list.Items = items;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "metadata":
                    list.Metadata = JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<V1ListMeta>)options.GetTypeInfo(typeof(V1ListMeta)));
                    break;
                case "items" when reader.TokenType == JsonTokenType.StartArray:
                    var item = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        items.Add(JsonSerializer.Deserialize(ref reader, item)!);
                    }

                    break;
                default:
                    // apiVersion, kind, and "items": null for an empty list.
                    reader.Skip();
                    break;
            }
        }

        return list;
    }

    public override void Write(Utf8JsonWriter writer, ObjectList<T> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        if (value.Metadata is { } metadata)
        {
            writer.WritePropertyName("metadata");
            JsonSerializer.Serialize(writer, metadata, (JsonTypeInfo<V1ListMeta>)options.GetTypeInfo(typeof(V1ListMeta)));
        }

        writer.WritePropertyName("items");
        writer.WriteStartArray();
        var item = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        foreach (var entity in value.Items)
        {
            JsonSerializer.Serialize(writer, entity, item);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

/// <summary>The metadata of <see cref="ObjectList{T}"/> under <see cref="KubeJson.Options"/>, made once per item type.</summary>
internal static class ObjectListJson<T>
{
    public static JsonTypeInfo<ObjectList<T>> Info { get; } =
        JsonMetadataServices.CreateValueInfo<ObjectList<T>>(KubeJson.Options, new ObjectListConverter<T>());
}

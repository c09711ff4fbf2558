using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// Whether the caller already holds the object <paramref name="namespace"/>/<paramref name="name"/> at
/// <paramref name="resourceVersion"/>, so a list need not build it again. Called for every listed item.
/// </summary>
public delegate bool KeepCached(string @namespace, string name, string resourceVersion);

/// <summary>
/// Reads one item of a list page: its <c>metadata</c>'s namespace, name and resourceVersion first, from a copy of the
/// reader, and the whole object only when <see cref="KeepCached"/> says the caller's copy is not current; otherwise the
/// item is skipped and read as null. An informer's relist after an API server restart finds nearly every object
/// unchanged, and building each one only to drop it made the relist of 1000 AppAlerts a second copy of the cache in
/// garbage, the operator's peak RSS (docs/performance.md, fourteenth pass). A converter of the item, not of the list:
/// System.Text.Json buffers the value a custom converter reads, and one item is a few KiB where a page is MiBs.
/// </summary>
internal sealed class CachedItemSkipper<T>(KeepCached keepCached, JsonTypeInfo<T> itemInfo) : JsonConverter<T>
    where T : class
{
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var scan = reader;
        if (Identity(ref scan) is { } identity && keepCached(identity.Namespace, identity.Name, identity.ResourceVersion))
        {
            SkipValue(ref reader);
            return null;
        }

        return JsonSerializer.Deserialize(ref reader, itemInfo);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, itemInfo);

    // The item's metadata.namespace (empty for a cluster-scoped object), .name and .resourceVersion; null when the item
    // is not an object or has no name or resourceVersion (then it is built, and the informer decides).
    private static (string Namespace, string Name, string ResourceVersion)? Identity(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            if (!isMetadata)
            {
                SkipValue(ref reader);
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? ns = null, name = null;
            string? resourceVersion = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueTextEquals("name"u8) ? 1 : reader.ValueTextEquals("namespace"u8) ? 2 : reader.ValueTextEquals("resourceVersion"u8) ? 3 : 0;
                reader.Read();
                if (field == 0 || reader.TokenType != JsonTokenType.String)
                {
                    SkipValue(ref reader);
                    continue;
                }

                switch (field)
                {
                    case 1: name = reader.GetString(); break;
                    case 2: ns = reader.GetString(); break;
                    default: resourceVersion = reader.GetString(); break;
                }
            }

            return name is null || resourceVersion is null ? null : (ns ?? string.Empty, name, resourceVersion);
        }

        return null;
    }

    // TrySkip, not Skip: a list read as it streams in is not its final block, and Skip refuses a reader that is not
    // (it threw at the first list bigger than one read buffer). The item itself is whole: System.Text.Json reads ahead
    // to the end of a value before it calls a custom converter.
    private static void SkipValue(ref Utf8JsonReader reader)
    {
        if (!reader.TrySkip())
        {
            throw new JsonException("A list item ended before its end: the converter was given part of a value.");
        }
    }
}

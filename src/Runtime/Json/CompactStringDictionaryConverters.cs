using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// Reads a JSON object of strings typed <c>IDictionary&lt;string, string&gt;</c> (an object's labels and annotations,
/// a custom resource's label map) or <c>IReadOnlyDictionary&lt;string, string&gt;</c> (a Grafana rule's) into a
/// <see cref="CompactStringDictionary"/>, or a <see cref="Dictionary{TKey, TValue}"/> past
/// <see cref="CompactStringDictionary.MaxEntries"/> entries; keys and values through <see cref="SharedStrings"/>, as every
/// other string these options read. Added to <see cref="KubeJson.Options"/> and the Grafana client's options:
/// source-generated metadata asks the options' converters first.
/// </summary>
public static class CompactStringDictionaryConverters
{
    /// <summary>The converter for properties typed <c>IDictionary&lt;string, string&gt;</c>.</summary>
    public static JsonConverter<IDictionary<string, string>> Mutable { get; } = new MutableConverter();

    /// <summary>The converter for properties typed <c>IReadOnlyDictionary&lt;string, string&gt;</c>.</summary>
    public static JsonConverter<IReadOnlyDictionary<string, string>> ReadOnly { get; } = new ReadOnlyConverter();

    private static object Read(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected an object of strings, found {reader.TokenType}.");
        }

        var map = new CompactStringDictionary();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = SharedStrings.Instance.ReadAsPropertyName(ref reader, typeof(string), options);
            reader.Read();
            var value = reader.TokenType switch
            {
                JsonTokenType.Null => null,
                JsonTokenType.String => SharedStrings.Instance.Read(ref reader, typeof(string), options),
                _ => throw new JsonException($"Expected a string for \"{key}\", found {reader.TokenType}."),
            };

            // A key given twice: the last value wins, as System.Text.Json's dictionaries read it.
            map[key] = value!;
        }

        if (map.Count > CompactStringDictionary.MaxEntries)
        {
            return new Dictionary<string, string>(map, StringComparer.Ordinal);
        }

        map.TrimExcess();
        return map;
    }

    private static void Write(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, string>> map)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        foreach (var (key, value) in map)
        {
            writer.WritePropertyName(key);
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue(value);
            }
        }

        writer.WriteEndObject();
    }

    private sealed class MutableConverter : JsonConverter<IDictionary<string, string>>
    {
        public override IDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            (IDictionary<string, string>)CompactStringDictionaryConverters.Read(ref reader, options);

        public override void Write(Utf8JsonWriter writer, IDictionary<string, string> value, JsonSerializerOptions options) =>
            CompactStringDictionaryConverters.Write(writer, value);
    }

    private sealed class ReadOnlyConverter : JsonConverter<IReadOnlyDictionary<string, string>>
    {
        public override IReadOnlyDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            (IReadOnlyDictionary<string, string>)CompactStringDictionaryConverters.Read(ref reader, options);

        public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options) =>
            CompactStringDictionaryConverters.Write(writer, value);
    }
}

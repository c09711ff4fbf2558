using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts;

/// <summary>
/// A packed group's JSON as written: the rules with each query's model left empty, and the models beside them, so that
/// they can be read back (<see cref="PackedGroupRead"/>) as where they lie in the group's JSON.
/// </summary>
/// <param name="Rules">The rules, each query's model empty.</param>
/// <param name="Models">Each rule's models, in the rules' and their queries' order.</param>
internal sealed record PackedGroupWrite(
    [property: JsonPropertyName("rules")] IReadOnlyList<ProvisionedAlertRule> Rules,
    [property: JsonPropertyName("models")] IReadOnlyList<IReadOnlyList<JsonObject>> Models);

/// <summary>The same JSON as read back: each model as the range of the group's JSON it lies in.</summary>
/// <param name="Rules">The rules, each query's model empty.</param>
/// <param name="Models">Each rule's models.</param>
internal sealed record PackedGroupRead(
    [property: JsonPropertyName("rules")] List<ProvisionedAlertRule> Rules,
    [property: JsonPropertyName("models")] List<List<JsonRange>> Models);

/// <summary>Where a JSON value lies in the UTF-8 text it was read from.</summary>
/// <param name="Start">Its first byte.</param>
/// <param name="Length">Its length in bytes.</param>
[JsonConverter(typeof(JsonRangeConverter))]
internal readonly record struct JsonRange(int Start, int Length);

/// <summary>
/// Reads a value as its range instead of its content. Valid only for JSON read whole from one buffer (System.Text.Json
/// then hands converters the reader over all of it, so its positions are the buffer's); a packed group is read so.
/// </summary>
internal sealed class JsonRangeConverter : JsonConverter<JsonRange>
{
    public override JsonRange Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var start = checked((int)reader.TokenStartIndex);
        reader.Skip();
        return new JsonRange(start, checked((int)reader.BytesConsumed) - start);
    }

    public override void Write(Utf8JsonWriter writer, JsonRange value, JsonSerializerOptions options) =>
        throw new NotSupportedException("A range of JSON is read, never written: a packed group is written from its queries' models.");
}

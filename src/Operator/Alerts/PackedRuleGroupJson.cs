using System.Text.Json;
using System.Text.Json.Serialization;
using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts;

/// <summary>
/// A packed group's JSON as written: the rules without their queries, and each rule's queries beside them, so that the
/// queries can be read back (<see cref="PackedGroupRead"/>) with each model left where it lies in the group's JSON.
/// </summary>
/// <param name="Rules">The rules, each with no <see cref="ProvisionedAlertRule.Data"/>.</param>
/// <param name="Queries">Each rule's queries and expressions, in the rules' order.</param>
internal sealed record PackedGroupWrite(
    [property: JsonPropertyName("rules")] IReadOnlyList<ProvisionedAlertRule> Rules,
    [property: JsonPropertyName("queries")] IReadOnlyList<IReadOnlyList<AlertQuery>> Queries);

/// <summary>The same JSON as read back: each model as the range of the group's JSON it lies in.</summary>
/// <param name="Rules">The rules, with no queries.</param>
/// <param name="Queries">Each rule's queries.</param>
internal sealed record PackedGroupRead(
    [property: JsonPropertyName("rules")] List<ProvisionedAlertRule> Rules,
    [property: JsonPropertyName("queries")] List<List<PackedQueryRead>> Queries);

/// <summary>One query as read back (<see cref="AlertQuery"/>'s JSON names), its model a range of the group's JSON.</summary>
internal sealed record PackedQueryRead
{
    /// <summary>The step's name.</summary>
    [JsonPropertyName("refId")]
    public string RefId { get; init; } = "";

    /// <summary>An optional query type.</summary>
    [JsonPropertyName("queryType")]
    public string? QueryType { get; init; }

    /// <summary>The datasource's UID, or <c>__expr__</c>.</summary>
    [JsonPropertyName("datasourceUid")]
    public string DatasourceUid { get; init; } = "";

    /// <summary>The time range the query reads.</summary>
    [JsonPropertyName("relativeTimeRange")]
    public RelativeTimeRange? RelativeTimeRange { get; init; }

    /// <summary>Where the model lies in the group's JSON.</summary>
    [JsonPropertyName("model")]
    [JsonConverter(typeof(JsonRangeConverter))]
    public JsonRange Model { get; init; }
}

/// <summary>Where a JSON value lies in the UTF-8 text it was read from.</summary>
/// <param name="Start">Its first byte.</param>
/// <param name="Length">Its length in bytes.</param>
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

using System.Text.Json;

namespace MetricsOperator.Influx;

/// <summary>
/// Reads <c>GET /api/v2/dbrps</c>'s answer (the contract's <c>DBRPs</c> schema), <c>virtual</c> included: the flag is
/// what tells InfluxDB's made-up mappings from stored ones (InfluxDB.Client 5.1's generated model, used before, lost it).
/// </summary>
public static class DbrpListing
{
    /// <summary>The mappings in a <c>{"content": [DBRP, …]}</c> body; a missing <c>default</c> or <c>virtual</c> reads as false.</summary>
    public static IReadOnlyList<InfluxDbrp> Parse(string json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrEmpty(json) ? "{}" : json);
        if (!document.RootElement.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return
        [
            .. content.EnumerateArray().Select(m => new InfluxDbrp(
                Text(m, "id"), Text(m, "bucketID"), Text(m, "database"), Text(m, "retention_policy"), Flag(m, "default"), Flag(m, "virtual"))),
        ];
    }

    private static string Text(JsonElement mapping, string name) =>
        mapping.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    private static bool Flag(JsonElement mapping, string name) =>
        mapping.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}

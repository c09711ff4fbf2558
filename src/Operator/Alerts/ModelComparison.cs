using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MetricsOperator.Alerts;

/// <summary>
/// Whether the model Grafana stores (kept as UTF-8 JSON, <see cref="ObservedQuery"/>) holds what the operator wants, read
/// as a <see cref="JsonDocument"/> rather than into nodes: every unchanged reconcile compares each query's model, and
/// node trees of the stored text were a fifth of what such a reconcile allocated (docs/performance.md, twelfth pass).
/// Same answers as <see cref="JsonNode.DeepEquals"/> on the parsed text: numbers by value (50.0 built in memory equals
/// 50 stored), strings by text, objects by their keys both ways, arrays in order.
/// </summary>
public static class ModelComparison
{
    /// <summary>
    /// Whether every key of <paramref name="desired"/> holds an equal value in <paramref name="storedJson"/>; keys only
    /// the stored model has (Grafana adds hide, legendFormat…) do not count, and a key set to null equals one left out.
    /// </summary>
    public static bool Covers(ReadOnlyMemory<byte> storedJson, JsonObject desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        using var stored = JsonDocument.Parse(storedJson);
        var root = stored.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var (key, value) in desired)
        {
            if (!(root.TryGetProperty(key, out var held) ? Equal(value, held) : value is null))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="node"/> and <paramref name="element"/> are the same JSON value.</summary>
    public static bool Equal(JsonNode? node, JsonElement element)
    {
        if (node is null)
        {
            return element.ValueKind == JsonValueKind.Null;
        }

        var kind = node.GetValueKind();
        if (kind != element.ValueKind)
        {
            return false;
        }

        switch (kind)
        {
            case JsonValueKind.Object:
                var members = 0;
                foreach (var member in element.EnumerateObject())
                {
                    members++;
                    if (!node.AsObject().TryGetPropertyValue(member.Name, out var value) || !Equal(value, member.Value))
                    {
                        return false;
                    }
                }

                return members == node.AsObject().Count;
            case JsonValueKind.Array:
                var items = node.AsArray();
                if (items.Count != element.GetArrayLength())
                {
                    return false;
                }

                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (!Equal(items[index++], item))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.String:
                // A string built in memory; a GUID or a time would be a string too, through its JSON text.
                return element.ValueEquals(node.AsValue().TryGetValue<string>(out var text) ? text : StringOf(node));
            case JsonValueKind.Number:
                return SameNumber(node.AsValue(), element);
            default:
                // true, false, null: the kinds said it.
                return true;
        }
    }

    private static bool SameNumber(JsonValue node, JsonElement element)
    {
        var text = node.ToJsonString();
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var wanted) && element.TryGetDecimal(out var held))
        {
            return wanted == held;
        }

        // Beyond decimal's range: as doubles, as DeepEquals reads them.
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var wide) && element.TryGetDouble(out var stored) && wide == stored;
    }

    private static string? StringOf(JsonNode node)
    {
        using var parsed = JsonDocument.Parse(node.ToJsonString());
        return parsed.RootElement.GetString();
    }
}

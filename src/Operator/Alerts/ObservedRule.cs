using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts;

/// <summary>A rule group as Grafana holds it (from the rule listing, or read back after a write).</summary>
/// <param name="IntervalSeconds">The interval when known: the rule listing does not carry it, a group GET does.</param>
/// <param name="Rules">The group's rules.</param>
public sealed record ObservedRuleGroup(long? IntervalSeconds, IReadOnlyList<ObservedRule> Rules)
{
    /// <summary>The group as kept from what Grafana returned.</summary>
    public static ObservedRuleGroup Of(long? intervalSeconds, IEnumerable<ProvisionedAlertRule> rules) =>
        new(intervalSeconds, [.. rules.Select(ObservedRule.Of)]);
}

/// <summary>
/// A rule as the operator compares it: Grafana's rule without its queries, and each query with its model as the UTF-8
/// JSON text Grafana sent, which <see cref="ModelComparison"/> reads as a document (a model read into a
/// <see cref="JsonObject"/> is a node per key over a document of its own). Built from a group read back after a write
/// or unpacked from the snapshot (<see cref="PackedRuleGroup"/>), and dropped after the comparison.
/// </summary>
/// <param name="Fields">Grafana's rule with no <see cref="ProvisionedAlertRule.Data"/>.</param>
/// <param name="Data">Its queries and expressions, in Grafana's order.</param>
public sealed record ObservedRule(ProvisionedAlertRule Fields, IReadOnlyList<ObservedQuery> Data)
{
    /// <summary>The rule's UID.</summary>
    public string? Uid => Fields.Uid;

    /// <summary>The rule as Grafana returned it, its models as text.</summary>
    public static ObservedRule Of(ProvisionedAlertRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new(rule with { Data = [] }, rule.Data.Select(ObservedQuery.Of).ToArray());
    }
}

/// <summary>One of a rule's queries or expressions: everything but the model as read, the model as JSON text.</summary>
/// <param name="RefId">The step's name.</param>
/// <param name="QueryType">An optional query type.</param>
/// <param name="DatasourceUid">The datasource's UID, or <c>__expr__</c>.</param>
/// <param name="RelativeTimeRange">The time range the query reads.</param>
/// <param name="ModelJson">The model, as UTF-8 JSON.</param>
public sealed record ObservedQuery(string RefId, string? QueryType, string DatasourceUid, RelativeTimeRange? RelativeTimeRange, ReadOnlyMemory<byte> ModelJson)
{
    /// <summary>The query as Grafana returned it, its model as text.</summary>
    public static ObservedQuery Of(AlertQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(text))
        {
            query.Model.WriteTo(writer);
        }

        return new(query.RefId, query.QueryType, query.DatasourceUid, query.RelativeTimeRange, text.WrittenMemory);
    }

    /// <summary>The model, read again from its text (a new object each call).</summary>
    public JsonObject Model() => JsonNode.Parse(ModelJson.Span)!.AsObject();
}

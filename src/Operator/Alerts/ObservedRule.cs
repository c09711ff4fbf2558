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
/// A rule as the operator keeps it between reconciles: Grafana's rule without its queries, and each query with its
/// model as the UTF-8 JSON text Grafana sent. A model read into a <see cref="JsonObject"/> stays a node per key over a
/// document of its own, and the snapshot holds every rule of a Grafana: as trees, the models were 29 of the operator's
/// 78 MiB of live objects at 1000 AppAlerts × 5 rules (docs/performance.md). The text is a fraction of that and is
/// read again only when the rule is compared.
/// </summary>
/// <param name="Fields">Grafana's rule with no <see cref="ProvisionedAlertRule.Data"/>.</param>
/// <param name="Data">Its queries and expressions, in Grafana's order.</param>
public sealed record ObservedRule(ProvisionedAlertRule Fields, IReadOnlyList<ObservedQuery> Data)
{
    /// <summary>The rule's UID.</summary>
    public string? Uid => Fields.Uid;

    /// <summary>The rule as kept from what Grafana returned.</summary>
    public static ObservedRule Of(ProvisionedAlertRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        // An array: a collection expression typed IReadOnlyList builds a list and a wrapper besides (two objects more per
        // rule of every Grafana, docs/performance.md, fifteenth pass).
        return new(rule with { Data = [] }, rule.Data.Select(ObservedQuery.Of).ToArray());
    }
}

/// <summary>One of a rule's queries or expressions as kept: everything but the model as read, the model as JSON text.</summary>
/// <param name="RefId">The step's name.</param>
/// <param name="QueryType">An optional query type.</param>
/// <param name="DatasourceUid">The datasource's UID, or <c>__expr__</c>.</param>
/// <param name="RelativeTimeRange">The time range the query reads.</param>
/// <param name="ModelJson">The model, as UTF-8 JSON.</param>
public sealed record ObservedQuery(string RefId, string? QueryType, string DatasourceUid, RelativeTimeRange? RelativeTimeRange, ReadOnlyMemory<byte> ModelJson)
{
    // The snapshot holds a time range per query, and a Grafana's rules use a handful of distinct ones: one instance per
    // value (a record with init-only properties, so shared instances cannot be changed), up to a bound past which a
    // range is kept as read.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(long From, long To), RelativeTimeRange> Ranges = new();

    /// <summary>The query as kept from what Grafana returned.</summary>
    public static ObservedQuery Of(AlertQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(text))
        {
            query.Model.WriteTo(writer);
        }

        return new(query.RefId, query.QueryType, query.DatasourceUid, SharedRange(query.RelativeTimeRange), text.WrittenSpan.ToArray());
    }

    /// <summary>The model, read again from its text (a new object each call).</summary>
    public JsonObject Model() => JsonNode.Parse(ModelJson.Span)!.AsObject();

    private static RelativeTimeRange? SharedRange(RelativeTimeRange? range)
    {
        if (range is null)
        {
            return null;
        }

        if (Ranges.TryGetValue((range.From, range.To), out var shared))
        {
            return shared;
        }

        return Ranges.Count < 256 ? Ranges.GetOrAdd((range.From, range.To), range) : range;
    }
}

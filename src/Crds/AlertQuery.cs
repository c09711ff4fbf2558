using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>A query against the stack's shared bucket, through the InfluxQL or the Flux datasource.</summary>
public sealed class AlertQuery
{
    /// <summary>Query language: InfluxQL or Flux. The stack must provision the matching datasource.</summary>
    [Required]
    [JsonPropertyName("language")]
    public QueryLanguage Language { get; set; }

    /// <summary>
    /// The query text. InfluxQL reads the bucket through its DBRP mapping (database = bucket name, e.g.
    /// <c>SELECT mean("duration") FROM "gafaelfawr"."autogen"."login" WHERE $timeFilter GROUP BY time(1m)</c>);
    /// Flux starts with <c>from(bucket: "metrics")</c> and uses <c>v.timeRangeStart</c>.
    /// </summary>
    [Required]
    [JsonPropertyName("text")]
    [MinLength(1)]
    [MaxLength(16384)]
    public string Text { get; set; } = "";

    /// <summary>
    /// How far back the query reads, up to now, e.g. <c>26h</c> for a daily job: Grafana's relative time range, which
    /// <c>$timeFilter</c> and <c>v.timeRangeStart</c> stand for. Left out, 10 minutes.
    /// </summary>
    [JsonPropertyName("timeRange")]
    [Pattern(Patterns.Duration)]
    public string? TimeRange { get; set; }
}

/// <summary>A query of a rule's long form, named so that expressions and conditionRef can refer to it.</summary>
public sealed class NamedAlertQuery
{
    /// <summary>The query's name (its Grafana refId), unique among the rule's queries and expressions, e.g. <c>failed</c>.</summary>
    [Required]
    [JsonPropertyName("name")]
    [Pattern(Patterns.AlertStepName)]
    public string Name { get; set; } = "";

    /// <summary>Query language: InfluxQL or Flux. The stack must provision the matching datasource.</summary>
    [Required]
    [JsonPropertyName("language")]
    public QueryLanguage Language { get; set; }

    /// <summary>The query text, as for the short form's query.text.</summary>
    [Required]
    [JsonPropertyName("text")]
    [MinLength(1)]
    [MaxLength(16384)]
    public string Text { get; set; } = "";

    /// <summary>How far back this query reads, up to now, e.g. <c>26h</c>. Left out, 10 minutes.</summary>
    [JsonPropertyName("timeRange")]
    [Pattern(Patterns.Duration)]
    public string? TimeRange { get; set; }
}

/// <summary>The language of an alert query.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QueryLanguage>))]
public enum QueryLanguage
{
    /// <summary>InfluxQL, through the bucket's DBRP mapping.</summary>
    InfluxQL,

    /// <summary>Flux.</summary>
    Flux,
}

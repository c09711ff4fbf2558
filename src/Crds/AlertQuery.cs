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

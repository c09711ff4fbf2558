using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// The firing condition, as Grafana's Reduce and Threshold expressions: each series is reduced to one number,
/// which is compared with the threshold.
/// </summary>
public sealed class AlertCondition
{
    /// <summary>How each series is reduced to one number: last (the default), mean, min, max, sum, count or median.</summary>
    [JsonPropertyName("reducer")]
    [Default("last")]
    public Reducer? Reducer { get; set; }

    /// <summary>
    /// How the number is compared with the threshold: gt, gte, lt, lte, eq, ne, within_range (strictly between
    /// threshold and upperThreshold) or outside_range (below threshold or above upperThreshold).
    /// </summary>
    [Required]
    [JsonPropertyName("operator")]
    public ThresholdOperator Operator { get; set; }

    /// <summary>The threshold; for the range operators the lower bound.</summary>
    [Required]
    [JsonPropertyName("threshold")]
    public double Threshold { get; set; }

    /// <summary>The upper bound, required by within_range and outside_range (and greater than threshold), ignored otherwise.</summary>
    [JsonPropertyName("upperThreshold")]
    public double? UpperThreshold { get; set; }
}

/// <summary>
/// Grafana 11.4's Reduce expression functions, all of them (pkg/expr/mathexp/reduce.go GetSupportedReduceFuncs: sum,
/// mean, min, max, count, last, median; median came with grafana/grafana#91119, merged in July 2024, before 11.4).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<Reducer>))]
public enum Reducer
{
    /// <summary>The last value.</summary>
    [JsonStringEnumMemberName("last")]
    Last,

    /// <summary>The mean.</summary>
    [JsonStringEnumMemberName("mean")]
    Mean,

    /// <summary>The smallest value.</summary>
    [JsonStringEnumMemberName("min")]
    Min,

    /// <summary>The largest value.</summary>
    [JsonStringEnumMemberName("max")]
    Max,

    /// <summary>The sum.</summary>
    [JsonStringEnumMemberName("sum")]
    Sum,

    /// <summary>The number of values.</summary>
    [JsonStringEnumMemberName("count")]
    Count,

    /// <summary>The median.</summary>
    [JsonStringEnumMemberName("median")]
    Median,
}

/// <summary>Grafana's Threshold expression evaluator types.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ThresholdOperator>))]
public enum ThresholdOperator
{
    /// <summary>Fires when the value is above the threshold.</summary>
    [JsonStringEnumMemberName("gt")]
    GreaterThan,

    /// <summary>Fires when the value is below the threshold.</summary>
    [JsonStringEnumMemberName("lt")]
    LessThan,

    /// <summary>Fires when the value is at or above the threshold.</summary>
    [JsonStringEnumMemberName("gte")]
    GreaterThanOrEqual,

    /// <summary>Fires when the value is at or below the threshold.</summary>
    [JsonStringEnumMemberName("lte")]
    LessThanOrEqual,

    /// <summary>Fires when the value equals the threshold.</summary>
    [JsonStringEnumMemberName("eq")]
    Equal,

    /// <summary>Fires when the value differs from the threshold.</summary>
    [JsonStringEnumMemberName("ne")]
    NotEqual,

    /// <summary>Fires when threshold &lt; value &lt; upperThreshold.</summary>
    [JsonStringEnumMemberName("within_range")]
    WithinRange,

    /// <summary>Fires when value &lt; threshold or value &gt; upperThreshold.</summary>
    [JsonStringEnumMemberName("outside_range")]
    OutsideRange,
}

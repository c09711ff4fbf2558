using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// A Grafana server-side expression of a rule's long form, named so that later expressions and conditionRef can refer
/// to it: exactly one of math, reduce, threshold or classic.
/// </summary>
[ExactlyOneOf("math", "reduce", "threshold", "classic")]
public sealed class AlertExpression
{
    /// <summary>The expression's name (its Grafana refId), unique among the rule's queries and expressions, e.g. <c>ratio</c>.</summary>
    [Required]
    [JsonPropertyName("name")]
    [Pattern(Patterns.AlertStepName)]
    public string Name { get; set; } = "";

    /// <summary>
    /// Grafana's math expression over earlier steps named with <c>$</c>, e.g. <c>$failed / $all</c> or
    /// <c>$ratio &gt; 0.2</c> (comparisons are 1 or 0). Each step it names must come before it in the rule.
    /// </summary>
    [JsonPropertyName("math")]
    [MinLength(1)]
    [MaxLength(1024)]
    public string? Math { get; set; }

    /// <summary>Grafana's reduce expression: each series of an earlier step reduced to one number.</summary>
    [JsonPropertyName("reduce")]
    public ReduceExpression? Reduce { get; set; }

    /// <summary>A comparison of an earlier step's numbers with a threshold: 1 where it holds, 0 where not.</summary>
    [JsonPropertyName("threshold")]
    public ThresholdExpression? Threshold { get; set; }

    /// <summary>
    /// Grafana's classic condition: conditions, each reducing an earlier step and comparing it, joined by and/or into
    /// one number for the whole rule (1 firing, 0 not): one alert, not one per series.
    /// </summary>
    [JsonPropertyName("classic")]
    public ClassicConditionsExpression? Classic { get; set; }
}

/// <summary>Each series of <c>input</c> reduced to one number.</summary>
public sealed class ReduceExpression
{
    /// <summary>The name of an earlier query or expression.</summary>
    [Required]
    [JsonPropertyName("input")]
    [Pattern(Patterns.AlertStepName)]
    public string Input { get; set; } = "";

    /// <summary>How: last, mean, min, max, sum, count or median.</summary>
    [Required]
    [JsonPropertyName("reducer")]
    public Reducer Reducer { get; set; }
}

/// <summary>The numbers of <c>input</c> compared with a threshold.</summary>
public sealed class ThresholdExpression
{
    /// <summary>The name of an earlier query or expression, usually a reduce.</summary>
    [Required]
    [JsonPropertyName("input")]
    [Pattern(Patterns.AlertStepName)]
    public string Input { get; set; } = "";

    /// <summary>gt, gte, lt, lte, eq, ne, within_range or outside_range.</summary>
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

using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// Grafana's classic condition expression (<c>classic_conditions</c>, grafana/grafana pkg/expr/classic): its conditions
/// are read left to right, each one's result joined to those before it by its operator, without precedence.
/// </summary>
public sealed class ClassicConditionsExpression
{
    /// <summary>The conditions, in order; the first one's operator is ignored.</summary>
    [Required]
    [JsonPropertyName("conditions")]
    [MinItems(1)]
    [MaxItems(10)]
    public IList<ClassicCondition> Conditions { get; set; } = [];
}

/// <summary>One condition of a classic condition expression: <c>reducer(input) evaluator params</c>.</summary>
public sealed class ClassicCondition
{
    /// <summary>How this condition joins the ones before it: and (the default) or or.</summary>
    [JsonPropertyName("operator")]
    [Default("and")]
    public ClassicOperator? Operator { get; set; }

    /// <summary>The name of an earlier query or expression.</summary>
    [Required]
    [JsonPropertyName("input")]
    [Pattern(Patterns.AlertStepName)]
    public string Input { get; set; } = "";

    /// <summary>
    /// How each series of input is reduced to one number: avg, sum, min, max, count, last, median, diff, diff_abs,
    /// percent_diff, percent_diff_abs or count_non_null. A number (from a reduce or math) is taken as it is.
    /// </summary>
    [Required]
    [JsonPropertyName("reducer")]
    public ClassicReducer Reducer { get; set; }

    /// <summary>The comparison of the reduced number.</summary>
    [Required]
    [JsonPropertyName("evaluator")]
    public ClassicEvaluator Evaluator { get; set; } = new();
}

/// <summary>A classic condition's comparison.</summary>
public sealed class ClassicEvaluator
{
    /// <summary>gt or lt (one param), within_range or outside_range (two: the bounds), or no_value (none).</summary>
    [Required]
    [JsonPropertyName("type")]
    public ClassicEvaluatorType Type { get; set; }

    /// <summary>The threshold (gt, lt) or the two bounds (within_range, outside_range, strict); empty for no_value.</summary>
    [JsonPropertyName("params")]
    [MaxItems(2)]
    public IList<double>? Params { get; set; }
}

/// <summary>How a classic condition joins the conditions before it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClassicOperator>))]
public enum ClassicOperator
{
    /// <summary>Both.</summary>
    [JsonStringEnumMemberName("and")]
    And,

    /// <summary>Either.</summary>
    [JsonStringEnumMemberName("or")]
    Or,
}

/// <summary>The reducers Grafana 11.4's classic conditions accept (pkg/expr/classic/reduce.go ValidReduceFunc).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClassicReducer>))]
public enum ClassicReducer
{
    /// <summary>The mean of the non-null values.</summary>
    [JsonStringEnumMemberName("avg")]
    Avg,

    /// <summary>The sum of the non-null values.</summary>
    [JsonStringEnumMemberName("sum")]
    Sum,

    /// <summary>The smallest value.</summary>
    [JsonStringEnumMemberName("min")]
    Min,

    /// <summary>The largest value.</summary>
    [JsonStringEnumMemberName("max")]
    Max,

    /// <summary>The number of values, nulls included.</summary>
    [JsonStringEnumMemberName("count")]
    Count,

    /// <summary>The last non-null value.</summary>
    [JsonStringEnumMemberName("last")]
    Last,

    /// <summary>The median of the non-null values.</summary>
    [JsonStringEnumMemberName("median")]
    Median,

    /// <summary>Newest minus oldest value.</summary>
    [JsonStringEnumMemberName("diff")]
    Diff,

    /// <summary>|newest − oldest|.</summary>
    [JsonStringEnumMemberName("diff_abs")]
    DiffAbs,

    /// <summary>(newest − oldest) / |oldest| × 100.</summary>
    [JsonStringEnumMemberName("percent_diff")]
    PercentDiff,

    /// <summary>|(newest − oldest) / oldest × 100|.</summary>
    [JsonStringEnumMemberName("percent_diff_abs")]
    PercentDiffAbs,

    /// <summary>The number of non-null values.</summary>
    [JsonStringEnumMemberName("count_non_null")]
    CountNonNull,
}

/// <summary>The evaluators Grafana 11.4's classic conditions accept (pkg/expr/classic/evaluator.go newAlertEvaluator).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClassicEvaluatorType>))]
public enum ClassicEvaluatorType
{
    /// <summary>Above params[0].</summary>
    [JsonStringEnumMemberName("gt")]
    GreaterThan,

    /// <summary>Below params[0].</summary>
    [JsonStringEnumMemberName("lt")]
    LessThan,

    /// <summary>Strictly between params[0] and params[1].</summary>
    [JsonStringEnumMemberName("within_range")]
    WithinRange,

    /// <summary>Below the lower or above the upper of params[0] and params[1].</summary>
    [JsonStringEnumMemberName("outside_range")]
    OutsideRange,

    /// <summary>The input has no value (no data, or only nulls).</summary>
    [JsonStringEnumMemberName("no_value")]
    NoValue,
}

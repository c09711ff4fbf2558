using MetricsOperator.Crds;

namespace MetricsOperator.Alerts;

/// <summary>
/// A rule as the ordered steps Grafana evaluates and the step whose result decides firing: the one model both forms
/// of <see cref="AlertRule"/> reduce to. The short form is query <c>A</c>, reduce <c>B</c> and comparison <c>C</c>,
/// exactly the steps it always had, so its rules keep their bodies.
/// </summary>
/// <param name="Steps">Queries and expressions in spec order (the short form's A, B, C).</param>
/// <param name="Condition">The name of the step whose result decides firing; empty when the spec names none.</param>
/// <param name="ConditionField">The spec field that names it, for messages.</param>
public sealed record RuleSteps(IReadOnlyList<RuleStep> Steps, string Condition, string ConditionField)
{
    /// <summary>refId of the short form's query.</summary>
    public const string QueryRef = "A";

    /// <summary>refId of the short form's reduce expression.</summary>
    public const string ReduceRef = "B";

    /// <summary>refId of the short form's comparison: its condition.</summary>
    public const string ThresholdRef = "C";

    /// <summary>The queries among the steps.</summary>
    public IEnumerable<QueryStep> Queries => Steps.OfType<QueryStep>();

    /// <summary>The steps of <paramref name="rule"/>; <paramref name="path"/> is the rule's field path, e.g. <c>spec.rules[0]</c>.</summary>
    public static RuleSteps Of(AlertRule rule, string path)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Queries is not null)
        {
            return LongForm(rule, path);
        }

        var query = rule.Query ?? new Crds.AlertQuery();
        var condition = rule.Condition ?? new AlertCondition();
        return new RuleSteps(
            [
                new QueryStep(QueryRef, $"{path}.query", query.Language, query.Text, query.TimeRange),
                new ReduceStep(ReduceRef, $"{path}.condition.reducer", QueryRef, condition.Reducer ?? AlertDefaults.ReducerDefault),
                new ThresholdStep(ThresholdRef, $"{path}.condition", ReduceRef, condition.Operator, condition.Threshold, condition.UpperThreshold),
            ],
            ThresholdRef,
            $"{path}.condition");
    }

    private static RuleSteps LongForm(AlertRule rule, string path)
    {
        var steps = new List<RuleStep>();
        for (var i = 0; i < rule.Queries!.Count; i++)
        {
            var query = rule.Queries[i];
            steps.Add(new QueryStep(query.Name, $"{path}.queries[{i}]", query.Language, query.Text, query.TimeRange));
        }

        for (var i = 0; i < (rule.Expressions?.Count ?? 0); i++)
        {
            var expression = rule.Expressions![i];
            var field = $"{path}.expressions[{i}]";
            steps.Add(expression switch
            {
                { Math: { } math } => new MathStep(expression.Name, $"{field}.math", math),
                { Reduce: { } reduce } => new ReduceStep(expression.Name, $"{field}.reduce", reduce.Input, reduce.Reducer),
                { Threshold: { } t } => new ThresholdStep(expression.Name, $"{field}.threshold", t.Input, t.Operator, t.Threshold, t.UpperThreshold),
                { Classic: { } classic } => new ClassicStep(expression.Name, $"{field}.classic", [.. (classic.Conditions ?? []).Select((c, j) =>
                    new ClassicConditionStep($"{field}.classic.conditions[{j}]", c.Operator ?? ClassicOperator.And, c.Input, c.Reducer, c.Evaluator?.Type ?? default, [.. c.Evaluator?.Params ?? []]))]),
                _ => new EmptyStep(expression.Name, field),
            });
        }

        return new RuleSteps(steps, rule.ConditionRef ?? "", $"{path}.conditionRef");
    }
}

/// <summary>One Grafana step of a rule.</summary>
/// <param name="Name">Its refId.</param>
/// <param name="Field">The spec field it comes from, for messages.</param>
public abstract record RuleStep(string Name, string Field)
{
    /// <summary>The names of the steps it reads.</summary>
    public virtual IEnumerable<string> Inputs => [];
}

/// <summary>A query against the stack's InfluxDB, over the last <paramref name="TimeRange"/> (null: the default).</summary>
public sealed record QueryStep(string Name, string Field, QueryLanguage Language, string Text, string? TimeRange) : RuleStep(Name, Field);

/// <summary>Grafana's math expression.</summary>
public sealed record MathStep(string Name, string Field, string Expression) : RuleStep(Name, Field)
{
    /// <inheritdoc/>
    public override IEnumerable<string> Inputs => MathReferences.In(Expression);
}

/// <summary>Grafana's reduce expression.</summary>
public sealed record ReduceStep(string Name, string Field, string Input, Reducer Reducer) : RuleStep(Name, Field)
{
    /// <inheritdoc/>
    public override IEnumerable<string> Inputs => [Input];
}

/// <summary>A comparison with a threshold.</summary>
public sealed record ThresholdStep(string Name, string Field, string Input, ThresholdOperator Operator, double Threshold, double? UpperThreshold) : RuleStep(Name, Field)
{
    /// <inheritdoc/>
    public override IEnumerable<string> Inputs => [Input];
}

/// <summary>
/// Grafana's classic condition expression: each condition reduces its input and compares the number, the results
/// joined left to right by each condition's operator into one number for the rule.
/// </summary>
public sealed record ClassicStep(string Name, string Field, IReadOnlyList<ClassicConditionStep> Conditions) : RuleStep(Name, Field)
{
    /// <inheritdoc/>
    public override IEnumerable<string> Inputs => Conditions.Select(c => c.Input).Distinct(StringComparer.Ordinal);
}

/// <summary>One condition of a <see cref="ClassicStep"/>, at <paramref name="Field"/>.</summary>
public sealed record ClassicConditionStep(string Field, ClassicOperator Operator, string Input, ClassicReducer Reducer, ClassicEvaluatorType Evaluator, IReadOnlyList<double> Params);

/// <summary>An expression that sets none of math, reduce, threshold or classic (the schema refuses it; objects from elsewhere may not).</summary>
public sealed record EmptyStep(string Name, string Field) : RuleStep(Name, Field);

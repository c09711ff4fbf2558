using System.Globalization;
using MetricsOperator.Crds;

namespace MetricsOperator.Alerts;

/// <summary>
/// The checks of a rule's queries and expressions the schema cannot make: one form or the other, names unique, each
/// expression reading only steps declared before it (so no cycle can form), the condition naming a step, time ranges
/// and thresholds that make sense, and a datasource for each query's language. Pure; each problem names its field.
/// </summary>
public static class RuleStepValidation
{
    /// <summary>The longest time range a query may read: Grafana has no limit, but InfluxDB would scan the whole bucket.</summary>
    public const long MaxTimeRangeSeconds = 31 * 24 * 3600;

    /// <summary>The problems of <paramref name="rule"/> at <paramref name="path"/> against <paramref name="stack"/>.</summary>
    public static IEnumerable<(string Field, string Message)> Problems(AlertRule rule, string path, StackAlertingFacts stack)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(stack);
        foreach (var problem in FormProblems(rule, path))
        {
            yield return problem;
        }

        var steps = RuleSteps.Of(rule, path);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in steps.Steps)
        {
            if (!declared.Add(step.Name))
            {
                yield return ($"{ListItem(step.Field)}.name", $"another query or expression of the rule is named \"{step.Name}\"");
            }

            foreach (var problem in StepProblems(step, declared, stack))
            {
                yield return problem;
            }
        }

        if (steps.Condition.Length > 0 && !steps.Steps.Any(s => s.Name == steps.Condition))
        {
            yield return (steps.ConditionField, $"names no query or expression of the rule (it has: {string.Join(", ", steps.Steps.Select(s => s.Name))})");
        }
    }

    private static IEnumerable<(string Field, string Message)> FormProblems(AlertRule rule, string path)
    {
        if (rule.Queries is null)
        {
            if (rule.Query is null)
            {
                yield return ($"{path}.query", "a rule needs query and condition (the short form) or queries and conditionRef");
            }
            else if (rule.Condition is null)
            {
                yield return ($"{path}.condition", "is required with query");
            }

            foreach (var (field, set) in new[] { ("expressions", rule.Expressions is not null), ("conditionRef", rule.ConditionRef is not null) })
            {
                if (set)
                {
                    yield return ($"{path}.{field}", "belongs to the long form (queries); the short form uses query and condition");
                }
            }

            yield break;
        }

        if (rule.Query is not null || rule.Condition is not null)
        {
            yield return ($"{path}.{(rule.Query is not null ? "query" : "condition")}", "belongs to the short form; with queries, use expressions and conditionRef");
        }

        if (rule.Queries.Count == 0)
        {
            yield return ($"{path}.queries", "at least one query is required");
        }

        if (string.IsNullOrEmpty(rule.ConditionRef))
        {
            yield return ($"{path}.conditionRef", "is required with queries: the name of the query or expression that decides firing");
        }
    }

    private static IEnumerable<(string Field, string Message)> StepProblems(RuleStep step, HashSet<string> declared, StackAlertingFacts stack)
    {
        // A classic condition's inputs are named per condition, where the message can point at the field itself.
        foreach (var input in step is ClassicStep ? [] : step.Inputs)
        {
            if (!IsDeclaredBefore(input, step, declared))
            {
                yield return (step.Field, NotDeclared(input, step));
            }
        }

        switch (step)
        {
            case QueryStep query:
                foreach (var problem in QueryProblems(query, stack))
                {
                    yield return problem;
                }

                break;
            case ReduceStep reduce when !Enum.IsDefined(reduce.Reducer):
                yield return (ReducerField(reduce), $"unknown reducer \"{reduce.Reducer}\" (last, mean, min, max, sum, count or median)");
                break;
            case ClassicStep classic:
                foreach (var problem in ClassicProblems(classic, declared))
                {
                    yield return problem;
                }

                break;
            case ThresholdStep threshold:
                foreach (var problem in ThresholdProblems(threshold))
                {
                    yield return problem;
                }

                break;
            case MathStep math when string.IsNullOrWhiteSpace(math.Expression):
                yield return (math.Field, "the expression is empty");
                break;
            case EmptyStep empty:
                yield return (empty.Field, "an expression sets exactly one of math, reduce, threshold or classic");
                break;
        }
    }

    private static IEnumerable<(string Field, string Message)> QueryProblems(QueryStep query, StackAlertingFacts stack)
    {
        if (string.IsNullOrWhiteSpace(query.Text))
        {
            yield return ($"{query.Field}.text", "the query is empty");
        }

        if (!Enum.IsDefined(query.Language))
        {
            yield return ($"{query.Field}.language", $"unknown language \"{query.Language}\" (InfluxQL or Flux)");
        }
        else if (stack.DatasourceFor(query.Language) is null)
        {
            yield return ($"{query.Field}.language", $"the stack provisions no {query.Language} datasource (spec.grafana.datasources)");
        }

        if (query.TimeRange is { } range && GrafanaDuration.TryParseSeconds(range) is not (> 0 and <= MaxTimeRangeSeconds))
        {
            yield return ($"{query.Field}.timeRange", string.Create(CultureInfo.InvariantCulture,
                $"\"{range}\" is not a duration from 1s to {MaxTimeRangeSeconds / 86400}d, such as 10m or 26h"));
        }
    }

    private static IEnumerable<(string Field, string Message)> ThresholdProblems(ThresholdStep threshold)
    {
        if (!Enum.IsDefined(threshold.Operator))
        {
            yield return ($"{threshold.Field}.operator", $"unknown operator \"{threshold.Operator}\" (gt, gte, lt, lte, eq, ne, within_range or outside_range)");
        }

        if (!double.IsFinite(threshold.Threshold))
        {
            yield return ($"{threshold.Field}.threshold", "must be a finite number");
        }

        if (threshold.Operator is ThresholdOperator.WithinRange or ThresholdOperator.OutsideRange)
        {
            if (threshold.UpperThreshold is not { } upper)
            {
                yield return ($"{threshold.Field}.upperThreshold", "is required by the range operators");
            }
            else if (!double.IsFinite(upper) || upper <= threshold.Threshold)
            {
                yield return ($"{threshold.Field}.upperThreshold", string.Create(CultureInfo.InvariantCulture, $"must be greater than threshold ({threshold.Threshold})"));
            }
        }
    }

    // What Grafana 11.4's classic conditions accept (pkg/expr/classic: UnmarshalConditionsCmd, newAlertEvaluator):
    // Grafana itself only refuses them when the rule is evaluated, which the provisioning API does not do on save.
    private static IEnumerable<(string Field, string Message)> ClassicProblems(ClassicStep classic, HashSet<string> declared)
    {
        if (classic.Conditions.Count == 0)
        {
            yield return ($"{classic.Field}.conditions", "at least one condition is required");
        }

        foreach (var condition in classic.Conditions)
        {
            if (!IsDeclaredBefore(condition.Input, classic, declared))
            {
                yield return ($"{condition.Field}.input", NotDeclared(condition.Input, classic));
            }

            if (!Enum.IsDefined(condition.Operator))
            {
                yield return ($"{condition.Field}.operator", $"unknown operator \"{condition.Operator}\" (and or or)");
            }

            if (!Enum.IsDefined(condition.Reducer))
            {
                yield return ($"{condition.Field}.reducer", $"unknown reducer \"{condition.Reducer}\" (avg, sum, min, max, count, last, median, diff, diff_abs, percent_diff, percent_diff_abs or count_non_null)");
            }

            var expected = condition.Evaluator switch
            {
                ClassicEvaluatorType.GreaterThan or ClassicEvaluatorType.LessThan => 1,
                ClassicEvaluatorType.WithinRange or ClassicEvaluatorType.OutsideRange => 2,
                ClassicEvaluatorType.NoValue => 0,
                _ => -1,
            };
            if (expected < 0)
            {
                yield return ($"{condition.Field}.evaluator.type", $"unknown evaluator \"{condition.Evaluator}\" (gt, lt, within_range, outside_range or no_value)");
            }
            else if (condition.Params.Count != expected)
            {
                yield return ($"{condition.Field}.evaluator.params", expected switch
                {
                    0 => "no_value takes no params",
                    1 => $"{AppAlertMapping.ClassicEvaluatorName(condition.Evaluator)} takes exactly one param, the threshold (got {condition.Params.Count})",
                    _ => $"{AppAlertMapping.ClassicEvaluatorName(condition.Evaluator)} takes exactly two params, the bounds (got {condition.Params.Count})",
                });
            }

            if (condition.Params.Any(p => !double.IsFinite(p)))
            {
                yield return ($"{condition.Field}.evaluator.params", "must be finite numbers");
            }
        }
    }

    private static bool IsDeclaredBefore(string input, RuleStep step, HashSet<string> declared) => input != step.Name && declared.Contains(input);

    private static string NotDeclared(string input, RuleStep step) => $"reads \"{input}\", which is no query or expression declared before \"{step.Name}\"";

    // expressions[i].reduce → expressions[i]: the item that holds the name.
    private static string ListItem(string field) =>
        field.EndsWith(']') ? field : field[..field.LastIndexOf('.')];

    // The short form's reducer is condition.reducer itself; the long form's is reduce.reducer.
    private static string ReducerField(ReduceStep reduce) => reduce.Field.EndsWith(".reducer", StringComparison.Ordinal) ? reduce.Field : $"{reduce.Field}.reducer";
}

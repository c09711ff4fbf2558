using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts;

/// <summary>
/// Classic conditions in the long form: what Grafana 11.4 accepts (grafana/grafana pkg/expr/classic: the reducers of
/// reduce.go ValidReduceFunc, the evaluators and their parameter counts of evaluator.go newAlertEvaluator, an input
/// refId per condition) is checked before the rule is written, each problem naming its field, because the
/// provisioning API stores a rule without building its expressions and Grafana would only refuse it at evaluation.
/// The mapped JSON is in testdata/long-form-classic.golden.json (RuleGoldenTests).
/// </summary>
public sealed class ClassicConditionTests
{
    private static AlertRule Rule(params ClassicCondition[] conditions) => new()
    {
        Name = "classic",
        Queries =
        [
            new NamedAlertQuery { Name = "failed", Language = QueryLanguage.InfluxQL, Text = "SELECT count(\"success\") FROM \"m\" WHERE $timeFilter" },
            new NamedAlertQuery { Name = "durations", Language = QueryLanguage.InfluxQL, Text = "SELECT \"duration\" FROM \"m\" WHERE $timeFilter" },
        ],
        Expressions = [new AlertExpression { Name = "fire", Classic = new ClassicConditionsExpression { Conditions = conditions } }],
        ConditionRef = "fire",
    };

    private static ClassicCondition Condition(string input, ClassicEvaluatorType type, double[] parameters, ClassicReducer reducer = ClassicReducer.Sum, ClassicOperator? op = null) =>
        new() { Input = input, Reducer = reducer, Operator = op, Evaluator = new ClassicEvaluator { Type = type, Params = parameters } };

    private static IReadOnlyList<RuleProblem> Problems(AlertRule rule) => AppAlertValidation.Validate(Alert("a", "b", rule), BothDatasources);

    [Fact]
    public void Conditions_joined_by_or_map_to_grafanas_classic_conditions_model()
    {
        var rule = Rule(
            Condition("failed", ClassicEvaluatorType.GreaterThan, [3]),
            Condition("durations", ClassicEvaluatorType.NoValue, [], ClassicReducer.CountNonNull, ClassicOperator.Or));

        Problems(rule).ShouldBeEmpty();
        var model = AppAlertMapping.Plan(Alert("a", "b", rule), BothDatasources).Group!.Rules.Single().Grafana.Data[2].Model;
        model["type"]!.GetValue<string>().ShouldBe("classic_conditions");
        var conditions = model["conditions"]!.AsArray();
        conditions.Select(c => c!["query"]!["params"]![0]!.GetValue<string>()).ShouldBe(["failed", "durations"]);
        conditions.Select(c => c!["operator"]!["type"]!.GetValue<string>()).ShouldBe(["and", "or"]);
        conditions.Select(c => c!["reducer"]!["type"]!.GetValue<string>()).ShouldBe(["sum", "count_non_null"]);
        conditions.Select(c => c!["evaluator"]!["type"]!.GetValue<string>()).ShouldBe(["gt", "no_value"]);
        conditions[1]!["evaluator"]!["params"]!.AsArray().ShouldBeEmpty();
    }

    [Theory]
    [InlineData(ClassicEvaluatorType.GreaterThan, 0, "gt takes exactly one param, the threshold (got 0)")]
    [InlineData(ClassicEvaluatorType.LessThan, 2, "lt takes exactly one param, the threshold (got 2)")]
    [InlineData(ClassicEvaluatorType.WithinRange, 1, "within_range takes exactly two params, the bounds (got 1)")]
    [InlineData(ClassicEvaluatorType.OutsideRange, 0, "outside_range takes exactly two params, the bounds (got 0)")]
    [InlineData(ClassicEvaluatorType.NoValue, 1, "no_value takes no params")]
    public void Each_evaluator_takes_its_number_of_params(ClassicEvaluatorType type, int count, string message)
    {
        var problem = Problems(Rule(Condition("failed", type, [.. Enumerable.Repeat(1.0, count)]))).ShouldHaveSingleItem();

        problem.Field.ShouldBe("spec.rules[0].expressions[0].classic.conditions[0].evaluator.params");
        problem.Message.ShouldBe(message);
    }

    [Theory]
    [InlineData(ClassicEvaluatorType.GreaterThan, 1)]
    [InlineData(ClassicEvaluatorType.LessThan, 1)]
    [InlineData(ClassicEvaluatorType.WithinRange, 2)]
    [InlineData(ClassicEvaluatorType.OutsideRange, 2)]
    [InlineData(ClassicEvaluatorType.NoValue, 0)]
    public void The_right_number_of_params_is_valid(ClassicEvaluatorType type, int count) =>
        Problems(Rule(Condition("failed", type, [.. Enumerable.Range(1, count).Select(i => (double)i)]))).ShouldBeEmpty();

    [Fact]
    public void A_condition_naming_an_unknown_step_is_refused_naming_its_input()
    {
        var problem = Problems(Rule(
            Condition("failed", ClassicEvaluatorType.GreaterThan, [1]),
            Condition("nothing", ClassicEvaluatorType.LessThan, [1], op: ClassicOperator.Or))).ShouldHaveSingleItem();

        problem.Field.ShouldBe("spec.rules[0].expressions[0].classic.conditions[1].input");
        problem.Message.ShouldBe("reads \"nothing\", which is no query or expression declared before \"fire\"");
    }

    [Fact]
    public void A_condition_may_not_read_its_own_expression() =>
        Problems(Rule(Condition("fire", ClassicEvaluatorType.GreaterThan, [1]))).ShouldHaveSingleItem().Field
            .ShouldBe("spec.rules[0].expressions[0].classic.conditions[0].input");

    [Fact]
    public void Reducers_evaluators_and_operators_outside_grafanas_lists_are_refused()
    {
        var condition = Condition("failed", (ClassicEvaluatorType)99, [1], (ClassicReducer)99, (ClassicOperator)7);

        Problems(Rule(condition)).Select(p => p.Field.Split('.')[^1] + ": " + p.Message).ShouldBe(
        [
            "operator: unknown operator \"7\" (and or or)",
            "reducer: unknown reducer \"99\" (avg, sum, min, max, count, last, median, diff, diff_abs, percent_diff, percent_diff_abs or count_non_null)",
            "type: unknown evaluator \"99\" (gt, lt, within_range, outside_range or no_value)",
        ]);
    }

    [Fact]
    public void An_empty_list_of_conditions_and_non_finite_params_are_refused()
    {
        Problems(Rule()).ShouldHaveSingleItem().Field.ShouldBe("spec.rules[0].expressions[0].classic.conditions");
        Problems(Rule(Condition("failed", ClassicEvaluatorType.WithinRange, [0, double.PositiveInfinity]))).ShouldHaveSingleItem().Message.ShouldBe("must be finite numbers");
    }

    /// <summary>The reducers and evaluators the CRD offers are exactly Grafana 11.4's, each mapped to Grafana's name.</summary>
    [Fact]
    public void Every_reducer_and_evaluator_of_the_crd_has_grafanas_name()
    {
        Enum.GetValues<ClassicReducer>().Select(AppAlertMapping.ClassicReducerName).ShouldBe(
            ["avg", "sum", "min", "max", "count", "last", "median", "diff", "diff_abs", "percent_diff", "percent_diff_abs", "count_non_null"]);
        Enum.GetValues<ClassicEvaluatorType>().Select(AppAlertMapping.ClassicEvaluatorName).ShouldBe(
            ["gt", "lt", "within_range", "outside_range", "no_value"]);
        Enum.GetValues<Reducer>().Select(AppAlertMapping.ReducerName).ShouldBe(["last", "mean", "min", "max", "sum", "count", "median"]);
    }
}

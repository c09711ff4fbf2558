using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts;

public sealed class ValidationTests
{
    private static IReadOnlyList<RuleProblem> Problems(V1Alpha1AppAlert alert, StackAlertingFacts? stack = null) =>
        AppAlertValidation.Validate(alert, stack ?? BothDatasources);

    [Fact]
    public void A_valid_appalert_has_no_problems() => Problems(Alert("a", "b", Rule("x"), Rule("y", QueryLanguage.Flux))).ShouldBeEmpty();

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_query_is_named(string text)
    {
        var problem = Problems(Alert("a", "b", Rule("ok"), Rule("broken", text: text))).ShouldHaveSingleItem();
        problem.Rule.ShouldBe("broken");
        problem.Field.ShouldBe("spec.rules[1].query.text");
        problem.ToString().ShouldContain("rule \"broken\"");
    }

    [Fact]
    public void An_unknown_reducer_is_named()
    {
        var rule = Rule("r");
        rule.Condition!.Reducer = (Reducer)42;
        Problems(Alert("a", "b", rule)).ShouldHaveSingleItem().Field.ShouldBe("spec.rules[0].condition.reducer");
    }

    [Fact]
    public void Duplicate_rule_names_are_named_for_each()
    {
        var problems = Problems(Alert("a", "b", Rule("same"), Rule("same")));
        problems.Count.ShouldBe(2);
        problems.ShouldAllBe(p => p.Rule == "same" && p.Message.Contains("same name"));
    }

    [Fact]
    public void A_flux_query_needs_the_flux_datasource()
    {
        var problem = Problems(Alert("a", "b", Rule("f", QueryLanguage.Flux)), InfluxQlOnly).ShouldHaveSingleItem();
        problem.Field.ShouldBe("spec.rules[0].query.language");
        problem.Message.ShouldContain("no Flux datasource");
    }

    [Fact]
    public void An_influxql_query_needs_the_influxql_datasource() =>
        Problems(Alert("a", "b", Rule("q")), BothDatasources with { InfluxQlDatasourceUid = null }).ShouldHaveSingleItem().Message.ShouldContain("InfluxQL");

    [Theory]
    [InlineData("0s")]
    [InlineData("15s")]
    [InlineData("1m5s")]
    [InlineData("soon")]
    public void The_interval_must_be_a_positive_multiple_of_ten_seconds(string interval)
    {
        var alert = Alert("a", "b");
        alert.Spec.Interval = interval;
        var problem = Problems(alert).ShouldHaveSingleItem();
        problem.Field.ShouldBe("spec.interval");
        problem.IsSpecWide.ShouldBeTrue();
    }

    [Theory]
    [InlineData("10s")]
    [InlineData("1m30s")]
    [InlineData("2h")]
    public void Good_intervals_pass(string interval)
    {
        var alert = Alert("a", "b");
        alert.Spec.Interval = interval;
        Problems(alert).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(ThresholdOperator.WithinRange, null, "is required")]
    [InlineData(ThresholdOperator.OutsideRange, null, "is required")]
    [InlineData(ThresholdOperator.WithinRange, 10.0, "greater than threshold")]
    [InlineData(ThresholdOperator.OutsideRange, 50.0, "greater than threshold")]
    public void Range_operators_need_an_upper_threshold_above_the_threshold(ThresholdOperator op, double? upper, string message)
    {
        var rule = Rule("r");
        rule.Condition!.Operator = op;
        rule.Condition!.UpperThreshold = upper;
        var problem = Problems(Alert("a", "b", rule)).ShouldHaveSingleItem();
        problem.Field.ShouldBe("spec.rules[0].condition.upperThreshold");
        problem.Message.ShouldContain(message);
    }

    [Fact]
    public void The_upper_threshold_is_ignored_by_gt_and_lt()
    {
        var rule = Rule("r");
        rule.Condition!.UpperThreshold = 1;
        Problems(Alert("a", "b", rule)).ShouldBeEmpty();
    }

    [Fact]
    public void A_bad_for_is_named()
    {
        var rule = Rule("r");
        rule.For = "30s5m";
        Problems(Alert("a", "b", rule)).ShouldHaveSingleItem().Field.ShouldBe("spec.rules[0].for");
    }

    [Fact]
    public void An_unknown_contact_point_is_a_spec_problem()
    {
        var alert = Alert("a", "b");
        alert.Spec.ContactPoint = "nobody";
        var problem = Problems(alert).ShouldHaveSingleItem();
        problem.Field.ShouldBe("spec.contactPoint");
        problem.IsSpecWide.ShouldBeTrue();
        alert.Spec.ContactPoint = "email-team";
        Problems(alert).ShouldBeEmpty();
    }

    [Fact]
    public void An_invalid_rule_keeps_the_whole_group_out_unless_partial_sync()
    {
        var alert = Alert("a", "b", Rule("good"), Rule("bad", text: ""));
        var plan = AppAlertMapping.Plan(alert, BothDatasources);
        plan.Group.ShouldBeNull();
        plan.IsValid.ShouldBeFalse();
        plan.RuleUids.Keys.ShouldBe(["good", "bad"], ignoreOrder: true);

        alert.Spec.PartialSync = true;
        plan = AppAlertMapping.Plan(alert, BothDatasources);
        plan.Group!.Rules.Select(r => r.Name).ShouldBe(["good"]);
        plan.IsValid.ShouldBeFalse();
    }

    [Fact]
    public void Partial_sync_does_not_bypass_spec_wide_problems()
    {
        var alert = Alert("a", "b", Rule("good"));
        alert.Spec.PartialSync = true;
        alert.Spec.Interval = "15s";
        AppAlertMapping.Plan(alert, BothDatasources).Group.ShouldBeNull();
    }

    [Fact]
    public void The_condition_must_name_a_step()
    {
        var group = AppAlertMapping.Plan(Alert("a", "b"), BothDatasources).Group!;
        var rule = group.Rules[0] with { Grafana = group.Rules[0].Grafana with { Condition = "Z" } };
        var problem = GrafanaRuleChecks.Problems(rule, group).ShouldHaveSingleItem();
        problem.Field.ShouldBe("condition");
        problem.Message.ShouldContain("\"Z\"");
        GrafanaRuleChecks.Problems(group.Rules[0], group).ShouldBeEmpty();
    }

    [Fact]
    public void Expressions_must_read_existing_steps()
    {
        var group = AppAlertMapping.Plan(Alert("a", "b"), BothDatasources).Group!;
        var data = group.Rules[0].Grafana.Data.Take(1).Concat(group.Rules[0].Grafana.Data.Skip(2)).ToList();
        var rule = group.Rules[0] with { Grafana = group.Rules[0].Grafana with { Data = data } };
        GrafanaRuleChecks.Problems(rule, group).ShouldContain(p => p.Message.Contains("reads \"B\""));
    }
}

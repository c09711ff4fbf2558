using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts;

/// <summary>The checks of the long form (named queries and expressions) and of per-rule notification settings.</summary>
public sealed class LongFormValidationTests
{
    private static AlertRule Ratio() => new()
    {
        Name = "ratio",
        Queries =
        [
            new NamedAlertQuery { Name = "failed", Language = QueryLanguage.InfluxQL, Text = "SELECT count(\"id\") FROM \"m\" WHERE $timeFilter", TimeRange = "30m" },
            new NamedAlertQuery { Name = "all", Language = QueryLanguage.Flux, Text = "from(bucket: \"metrics\") |> range(start: v.timeRangeStart)" },
        ],
        Expressions =
        [
            new AlertExpression { Name = "f", Reduce = new ReduceExpression { Input = "failed", Reducer = Reducer.Sum } },
            new AlertExpression { Name = "a", Reduce = new ReduceExpression { Input = "all", Reducer = Reducer.Sum } },
            new AlertExpression { Name = "r", Math = "$f / ${a}" },
            new AlertExpression { Name = "fire", Threshold = new ThresholdExpression { Input = "r", Operator = ThresholdOperator.GreaterThanOrEqual, Threshold = 0.2 } },
        ],
        ConditionRef = "fire",
    };

    private static IReadOnlyList<RuleProblem> Problems(AlertRule rule) => AppAlertValidation.Validate(Alert("a", "b", rule), BothDatasources);

    [Fact]
    public void A_ratio_of_two_queries_is_valid_and_maps_to_its_named_steps()
    {
        Problems(Ratio()).ShouldBeEmpty();
        var grafana = AppAlertMapping.Plan(Alert("a", "b", Ratio()), BothDatasources).Group!.Rules.Single().Grafana;
        grafana.Condition.ShouldBe("fire");
        grafana.Data.Select(d => d.RefId).ShouldBe(["failed", "all", "f", "a", "r", "fire"]);
        grafana.Data[0].RelativeTimeRange!.From.ShouldBe(1800);
        grafana.Data[1].RelativeTimeRange!.From.ShouldBe(600);
        grafana.Data[5].Model["type"]!.GetValue<string>().ShouldBe("math");
        grafana.Data[5].Model["expression"]!.GetValue<string>().ShouldBe("${r} >= 0.2");
    }

    [Fact]
    public void An_expression_may_read_only_steps_declared_before_it()
    {
        var rule = Ratio();
        rule.Expressions![2].Math = "$f / $fire";
        var problem = Problems(rule).ShouldHaveSingleItem();
        problem.Field.ShouldBe("spec.rules[0].expressions[2].math");
        problem.Message.ShouldContain("reads \"fire\", which is no query or expression declared before \"r\"");
    }

    [Fact]
    public void An_expression_may_not_read_itself()
    {
        var rule = Ratio();
        rule.Expressions![0].Reduce!.Input = "f";
        Problems(rule).ShouldHaveSingleItem().Field.ShouldBe("spec.rules[0].expressions[0].reduce");
    }

    [Fact]
    public void The_condition_must_name_a_step()
    {
        var rule = Ratio();
        rule.ConditionRef = "nope";
        var problem = Problems(rule).ShouldHaveSingleItem();
        problem.Field.ShouldBe("spec.rules[0].conditionRef");
        problem.Message.ShouldContain("failed, all, f, a, r, fire");
    }

    [Fact]
    public void The_long_form_needs_a_condition_and_no_short_form_fields()
    {
        var rule = Ratio();
        rule.ConditionRef = null;
        rule.Condition = new AlertCondition { Operator = ThresholdOperator.GreaterThan, Threshold = 1 };
        Problems(rule).Select(p => p.Field).ShouldBe(["spec.rules[0].condition", "spec.rules[0].conditionRef"], ignoreOrder: true);
    }

    [Fact]
    public void The_short_form_refuses_long_form_fields()
    {
        var rule = Rule("short");
        rule.ConditionRef = "C";
        Problems(rule).ShouldHaveSingleItem().Field.ShouldBe("spec.rules[0].conditionRef");
    }

    [Fact]
    public void Names_are_unique_among_queries_and_expressions()
    {
        var rule = Ratio();
        rule.Expressions![0].Name = "all";
        Problems(rule).ShouldContain(p => p.Field == "spec.rules[0].expressions[0].name" && p.Message.Contains("\"all\""));
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("32d")]
    public void A_time_range_outside_one_second_to_31_days_is_refused(string range)
    {
        var rule = Ratio();
        rule.Queries![0].TimeRange = range;
        Problems(rule).ShouldHaveSingleItem().Field.ShouldBe("spec.rules[0].queries[0].timeRange");
    }

    [Fact]
    public void The_range_operators_need_an_upper_bound_in_the_long_form_too()
    {
        var rule = Ratio();
        rule.Expressions![3].Threshold!.Operator = ThresholdOperator.WithinRange;
        Problems(rule).ShouldHaveSingleItem().Field.ShouldBe("spec.rules[0].expressions[3].threshold.upperThreshold");
    }

    [Fact]
    public void A_notification_names_a_contact_point_of_the_stack()
    {
        var rule = Rule("r");
        rule.Notification = new AlertNotification { ContactPoint = "pager" };
        var problem = Problems(rule).ShouldHaveSingleItem();
        problem.Field.ShouldBe("spec.rules[0].notification.contactPoint");
        problem.Message.ShouldContain("slack-alerts, email-team");
    }

    [Theory]
    [InlineData(new[] { "alertname", "grafana_folder", "application" }, true)]
    [InlineData(new[] { "..." }, true)]
    [InlineData(new[] { "alertname" }, false)]
    [InlineData(new[] { "...", "alertname" }, false)]
    public void A_group_by_keeps_grafanas_required_labels(string[] groupBy, bool valid)
    {
        var rule = Rule("r");
        rule.Notification = new AlertNotification { ContactPoint = "email-team", GroupBy = groupBy };
        Problems(rule).Count.ShouldBe(valid ? 0 : 1);
    }

    [Fact]
    public void Notification_settings_and_the_panel_link_reach_grafana()
    {
        var rule = Rule("r");
        rule.Notification = new AlertNotification { ContactPoint = "email-team", MuteTimings = ["nights"] };
        rule.Panel = new AlertPanelLink { DashboardUid = "logins", PanelId = 3 };
        var grafana = AppAlertMapping.Plan(Alert("a", "b", rule), BothDatasources).Group!.Rules.Single().Grafana;
        grafana.NotificationSettings!.Receiver.ShouldBe("email-team");
        grafana.NotificationSettings.MuteTimeIntervals.ShouldBe(["nights"]);
        grafana.NotificationSettings.GroupBy.ShouldBeNull();
        grafana.Annotations!["__dashboardUid__"].ShouldBe("logins");
        grafana.Annotations["__panelId__"].ShouldBe("3");
    }
}

using System.Text.Json;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts;

public sealed class MappingTests
{
    private static MetricsOperator.Grafana.ProvisionedAlertRule MapOne(AlertRule rule, StackAlertingFacts? stack = null, Action<AppAlertSpec>? spec = null)
    {
        var alert = Alert("gafaelfawr", "gafaelfawr", rule);
        spec?.Invoke(alert.Spec);
        var plan = AppAlertMapping.Plan(alert, stack ?? BothDatasources);
        plan.Problems.ShouldBeEmpty();
        return plan.Group!.Rules.Single().Grafana;
    }

    [Fact]
    public void One_folder_per_app_one_group_per_appalert()
    {
        var alert = Alert("gafaelfawr", "login-alerts", Rule("a"), Rule("b"));
        var group = AppAlertMapping.Plan(alert, BothDatasources).Group!;
        group.FolderUid.ShouldBe("app-gafaelfawr");
        group.FolderTitle.ShouldBe("gafaelfawr");
        group.Group.ShouldBe("gafaelfawr_login-alerts");
        group.Rules.Select(r => r.Grafana.FolderUid).Distinct().ShouldBe(["app-gafaelfawr"]);
        group.Rules.Select(r => r.Grafana.RuleGroup).Distinct().ShouldBe(["gafaelfawr_login-alerts"]);
        group.Rules.Select(r => r.Grafana.Title).ShouldBe(["a", "b"]);
    }

    [Fact]
    public void The_app_defaults_to_the_namespace_and_can_be_set()
    {
        AppAlertMapping.Plan(Alert("ns1", "x"), BothDatasources).Group!.FolderUid.ShouldBe("app-ns1");
        var alert = Alert("ns1", "x");
        alert.Spec.App = "gafaelfawr";
        var group = AppAlertMapping.Plan(alert, BothDatasources).Group!;
        group.FolderUid.ShouldBe("app-gafaelfawr");
        group.Rules[0].Grafana.Labels!["app"].ShouldBe("gafaelfawr");
        group.Rules[0].Grafana.Labels!["namespace"].ShouldBe("ns1");
    }

    [Fact]
    public void The_rule_uid_is_the_stable_hash()
    {
        MapOne(Rule("Login failures")).Uid.ShouldBe(AlertNames.RuleUid("gafaelfawr", "gafaelfawr", "Login failures"));
    }

    [Fact]
    public void InfluxQL_queries_use_the_raw_query_model_against_the_influxql_datasource()
    {
        var a = MapOne(Rule("r")).Data[0];
        a.RefId.ShouldBe("A");
        a.DatasourceUid.ShouldBe("influxdb-influxql");
        a.Model["rawQuery"]!.GetValue<bool>().ShouldBeTrue();
        a.Model["query"]!.GetValue<string>().ShouldContain("SELECT count");
        a.Model["resultFormat"]!.GetValue<string>().ShouldBe("time_series");
        a.Model["datasource"]!["uid"]!.GetValue<string>().ShouldBe("influxdb-influxql");
        a.RelativeTimeRange!.From.ShouldBe(600);
    }

    [Fact]
    public void Flux_queries_use_the_query_model_against_the_flux_datasource()
    {
        var a = MapOne(Rule("r", QueryLanguage.Flux)).Data[0];
        a.DatasourceUid.ShouldBe("influxdb-flux");
        a.Model["query"]!.GetValue<string>().ShouldStartWith("from(bucket:");
        a.Model.ContainsKey("rawQuery").ShouldBeFalse();
    }

    [Theory]
    [InlineData(Reducer.Last, "last")]
    [InlineData(Reducer.Mean, "mean")]
    [InlineData(Reducer.Min, "min")]
    [InlineData(Reducer.Max, "max")]
    [InlineData(Reducer.Sum, "sum")]
    [InlineData(Reducer.Count, "count")]
    public void Each_reducer_becomes_a_reduce_expression(Reducer reducer, string name)
    {
        var rule = Rule("r");
        rule.Condition!.Reducer = reducer;
        var b = MapOne(rule).Data[1];
        b.RefId.ShouldBe("B");
        b.DatasourceUid.ShouldBe("__expr__");
        b.Model["type"]!.GetValue<string>().ShouldBe("reduce");
        b.Model["expression"]!.GetValue<string>().ShouldBe("A");
        b.Model["reducer"]!.GetValue<string>().ShouldBe(name);
    }

    [Fact]
    public void The_reducer_defaults_to_last()
    {
        var rule = Rule("r");
        rule.Condition!.Reducer = null;
        MapOne(rule).Data[1].Model["reducer"]!.GetValue<string>().ShouldBe("last");
    }

    [Theory]
    [InlineData(ThresholdOperator.GreaterThan, "gt", "[50]")]
    [InlineData(ThresholdOperator.LessThan, "lt", "[50]")]
    [InlineData(ThresholdOperator.WithinRange, "within_range", "[50,80.5]")]
    [InlineData(ThresholdOperator.OutsideRange, "outside_range", "[50,80.5]")]
    public void Each_operator_becomes_a_threshold_expression_which_is_the_condition(ThresholdOperator op, string type, string parameters)
    {
        var rule = Rule("r");
        rule.Condition!.Operator = op;
        rule.Condition.UpperThreshold = 80.5;
        var mapped = MapOne(rule);
        mapped.Condition.ShouldBe("C");
        var c = mapped.Data[2];
        c.RefId.ShouldBe("C");
        c.Model["type"]!.GetValue<string>().ShouldBe("threshold");
        c.Model["expression"]!.GetValue<string>().ShouldBe("B");
        var evaluator = c.Model["conditions"]![0]!["evaluator"]!;
        evaluator["type"]!.GetValue<string>().ShouldBe(type);
        evaluator["params"]!.ToJsonString().ShouldBe(parameters);
    }

    [Fact]
    public void Models_carry_the_defaults_grafana_adds_on_save()
    {
        foreach (var step in MapOne(Rule("r")).Data)
        {
            step.Model["intervalMs"]!.GetValue<int>().ShouldBe(1000);
            step.Model["maxDataPoints"]!.GetValue<int>().ShouldBe(43200);
            step.Model["refId"]!.GetValue<string>().ShouldBe(step.RefId);
        }
    }

    [Fact]
    public void Labels_are_the_users_under_app_severity_and_namespace()
    {
        var rule = Rule("r");
        rule.Severity = AlertSeverity.Critical;
        rule.Labels = new Dictionary<string, string> { ["team"] = "square", ["app"] = "spoofed", ["severity"] = "info" };
        var labels = MapOne(rule).Labels!;
        labels["team"].ShouldBe("square");
        labels["app"].ShouldBe("gafaelfawr");
        labels["severity"].ShouldBe("critical");
        labels["namespace"].ShouldBe("gafaelfawr");
    }

    [Fact]
    public void Annotations_hold_summary_description_and_runbook_only_when_given()
    {
        MapOne(Rule("r")).Annotations.ShouldBeNull();
        var rule = Rule("r");
        rule.Summary = "Too many failures";
        rule.Description = "Check upstream";
        rule.RunbookUrl = "https://phalanx.lsst.io/x";
        var annotations = MapOne(rule).Annotations!;
        annotations["summary"].ShouldBe("Too many failures");
        annotations["description"].ShouldBe("Check upstream");
        annotations["runbook_url"].ShouldBe("https://phalanx.lsst.io/x");
    }

    [Fact]
    public void Defaults_fill_for_severity_and_states()
    {
        var mapped = MapOne(Rule("r"));
        mapped.For.ShouldBe("5m");
        mapped.Labels!["severity"].ShouldBe("warning");
        mapped.NoDataState.ShouldBe("NoData");
        mapped.ExecErrState.ShouldBe("Error");
        mapped.IsPaused.ShouldBeFalse();
        mapped.OrgId.ShouldBe(1);
    }

    [Theory]
    [InlineData(NoDataState.Ok, ExecErrState.Alerting, "OK", "Alerting")]
    [InlineData(NoDataState.Alerting, ExecErrState.Ok, "Alerting", "OK")]
    public void States_map_to_grafanas_names(NoDataState noData, ExecErrState execErr, string noDataName, string execErrName)
    {
        var rule = Rule("r");
        rule.NoDataState = noData;
        rule.ExecErrState = execErr;
        var mapped = MapOne(rule);
        mapped.NoDataState.ShouldBe(noDataName);
        mapped.ExecErrState.ShouldBe(execErrName);
    }

    [Theory]
    [InlineData("300s", "5m")]
    [InlineData("0s", "0s")]
    [InlineData("1h30m", "1h30m")]
    public void For_is_sent_in_grafanas_format(string given, string sent)
    {
        var rule = Rule("r");
        rule.For = given;
        MapOne(rule).For.ShouldBe(sent);
    }

    [Theory]
    [InlineData("1m", 60L)]
    [InlineData("30s", 30L)]
    [InlineData("1m30s", 90L)]
    [InlineData(null, 60L)]
    public void The_interval_is_in_seconds(string? interval, long seconds)
    {
        var alert = Alert("a", "b");
        alert.Spec.Interval = interval;
        AppAlertMapping.Plan(alert, BothDatasources).Group!.IntervalSeconds.ShouldBe(seconds);
    }

    [Fact]
    public void Editable_only_when_asked()
    {
        AppAlertMapping.Plan(Alert("a", "b"), BothDatasources).Group!.Provenance.ShouldBe("api");
        var alert = Alert("a", "b");
        alert.Spec.EditableInGrafana = true;
        var group = AppAlertMapping.Plan(alert, BothDatasources).Group!;
        group.Editable.ShouldBeTrue();
        group.Provenance.ShouldBe("");
    }

    [Fact]
    public void The_rule_json_has_every_field_the_contract_requires_and_no_nulls()
    {
        var json = JsonSerializer.SerializeToNode(MapOne(Rule("r")), MetricsOperator.Grafana.GrafanaJson.Options)!.AsObject();
        foreach (var required in new[] { "orgID", "folderUID", "ruleGroup", "title", "condition", "data", "noDataState", "execErrState", "for" })
        {
            json.ContainsKey(required).ShouldBeTrue(required);
        }

        json.ToJsonString().ShouldNotContain("null");
        json.ContainsKey("provenance").ShouldBeFalse();
    }

    [Fact]
    public void Mapping_is_deterministic()
    {
        var a = JsonSerializer.Serialize(AppAlertMapping.Plan(Alert("a", "b", Rule("x"), Rule("y")), BothDatasources).Group!.ToGrafana(), MetricsOperator.Grafana.GrafanaJson.Options);
        var b = JsonSerializer.Serialize(AppAlertMapping.Plan(Alert("a", "b", Rule("x"), Rule("y")), BothDatasources).Group!.ToGrafana(), MetricsOperator.Grafana.GrafanaJson.Options);
        a.ShouldBe(b);
    }

    [Fact]
    public void Schema_defaults_match_the_crd()
    {
        Default<AppAlertSpec>(nameof(AppAlertSpec.Interval)).ShouldBe(AlertDefaults.Interval);
        Default<AlertRule>(nameof(AlertRule.For)).ShouldBe(AlertDefaults.For);
        Default<AlertRule>(nameof(AlertRule.Severity)).ShouldBe("warning");
        Default<AlertCondition>(nameof(AlertCondition.Reducer)).ShouldBe("last");
        Default<AlertRule>(nameof(AlertRule.NoDataState)).ShouldBe("NoData");
        Default<AlertRule>(nameof(AlertRule.ExecErrState)).ShouldBe("Error");
    }

    private static object? Default<T>(string property) =>
        typeof(T).GetProperty(property)!.GetCustomAttributes(typeof(MetricsOperator.Crds.Schema.DefaultAttribute), false)
            .Cast<MetricsOperator.Crds.Schema.DefaultAttribute>().Single().Value;
}

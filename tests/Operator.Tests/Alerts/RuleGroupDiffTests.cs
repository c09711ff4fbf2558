using System.Text.Json;
using MetricsOperator.Alerts;
using MetricsOperator.Grafana;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts;

public sealed class RuleGroupDiffTests
{
    private static DesiredRuleGroup Desired(params string[] rules) =>
        AppAlertMapping.Plan(Alert("ns", "alert", [.. rules.Select(r => Rule(r))]), BothDatasources).Group!;

    // What Grafana returns: the JSON round trip, "provenance": "api", extra keys in models, empty queryType.
    private static ProvisionedAlertRule Stored(ProvisionedAlertRule rule, Func<ProvisionedAlertRule, ProvisionedAlertRule>? change = null)
    {
        var copy = JsonSerializer.Deserialize<ProvisionedAlertRule>(JsonSerializer.Serialize(rule, GrafanaJson.Options), GrafanaJson.Options)! with { Provenance = "api" };
        foreach (var step in copy.Data)
        {
            step.Model["hide"] = false;
        }

        return change is null ? copy : change(copy);
    }

    private static ObservedRuleGroup Observed(DesiredRuleGroup desired, long? interval = null, Func<ProvisionedAlertRule, ProvisionedAlertRule>? change = null) =>
        ObservedRuleGroup.Of(interval, desired.Rules.Select(r => Stored(r.Grafana, change)));

    [Fact]
    public void An_equal_group_needs_nothing()
    {
        var desired = Desired("a", "b");
        var changes = RuleGroupDiff.Compare(desired, Observed(desired, 60), _ => true);
        changes.IsEmpty.ShouldBeTrue();
        changes.Differences.ShouldBeEmpty();
        changes.RulesInSync.Values.ShouldAllBe(v => v);
    }

    [Fact]
    public void An_unknown_interval_is_not_a_difference() =>
        RuleGroupDiff.Compare(Desired("a"), Observed(Desired("a")), _ => true).IsEmpty.ShouldBeTrue();

    [Fact]
    public void A_different_interval_needs_a_put()
    {
        var changes = RuleGroupDiff.Compare(Desired("a"), Observed(Desired("a"), 120), _ => true);
        changes.NeedsPut.ShouldBeTrue();
        changes.Differences.ShouldContain("interval");
    }

    [Fact]
    public void A_missing_group_creates_every_rule_then_puts()
    {
        var changes = RuleGroupDiff.Compare(Desired("a", "b"), null, _ => false);
        changes.ToCreate.Count.ShouldBe(2);
        changes.NeedsPut.ShouldBeTrue();
    }

    [Fact]
    public void A_rule_living_elsewhere_is_not_created_but_moved_by_the_put()
    {
        var changes = RuleGroupDiff.Compare(Desired("a"), null, _ => true);
        changes.ToCreate.ShouldBeEmpty();
        changes.NeedsPut.ShouldBeTrue();
    }

    [Theory]
    [InlineData("title")]
    [InlineData("for")]
    [InlineData("labels")]
    [InlineData("annotations")]
    [InlineData("data")]
    [InlineData("noDataState")]
    [InlineData("provenance")]
    [InlineData("isPaused")]
    public void Drift_in_a_field_is_found(string field)
    {
        var desired = Desired("a");
        Func<ProvisionedAlertRule, ProvisionedAlertRule> drift = field switch
        {
            "title" => r => r with { Title = "edited in the UI" },
            "for" => r => r with { For = "10m" },
            "labels" => r => r with { Labels = new Dictionary<string, string>(r.Labels!) { ["extra"] = "x" } },
            "annotations" => r => r with { Annotations = new Dictionary<string, string> { ["summary"] = "x" } },
            "data" => r => { r.Data[2].Model["conditions"]![0]!["evaluator"]!["params"]![0] = 99; return r; },
            "noDataState" => r => r with { NoDataState = "OK" },
            "provenance" => r => r with { Provenance = "" },
            "isPaused" => r => r with { IsPaused = true },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
        var changes = RuleGroupDiff.Compare(desired, Observed(desired, 60, drift), _ => true);
        changes.NeedsPut.ShouldBeTrue();
        changes.ToCreate.ShouldBeEmpty();
        changes.Differences.ShouldHaveSingleItem().ShouldBe($"rule \"a\": {field}");
        changes.RulesInSync["a"].ShouldBeFalse();
    }

    [Fact]
    public void Maps_read_from_grafana_are_compact_and_compare_by_their_entries()
    {
        var desired = Desired("a");
        var observed = Observed(desired, 60);
        var stored = observed.Rules.Single().Fields;
        stored.Labels.ShouldBeOfType<MetricsOperator.Runtime.Json.CompactStringDictionary>();
        RuleGroupDiff.Compare(desired, observed, _ => true).IsEmpty.ShouldBeTrue();

        // The same keys with one value changed (read from JSON, so compact too): drift in labels.
        var key = stored.Labels!.Keys.First();
        var changed = Observed(desired, 60, r => JsonSerializer.Deserialize<ProvisionedAlertRule>(
            JsonSerializer.Serialize(r with { Labels = r.Labels!.ToDictionary(e => e.Key, e => e.Key == key ? "changed" : e.Value) }, GrafanaJson.Options),
            GrafanaJson.Options)!);
        RuleGroupDiff.Compare(desired, changed, _ => true).Differences.ShouldHaveSingleItem().ShouldBe("rule \"a\": labels");
    }

    [Fact]
    public void Durations_compare_by_value() =>
        RuleGroupDiff.Compare(Desired("a"), Observed(Desired("a"), 60, r => r with { For = "300s" }), _ => true).IsEmpty.ShouldBeTrue();

    [Fact]
    public void Absent_and_empty_maps_compare_equal()
    {
        var desired = Desired("a");
        desired.Rules[0].Grafana.Annotations.ShouldBeNull();
        RuleGroupDiff.Compare(desired, Observed(desired, 60, r => r with { Annotations = new Dictionary<string, string>() }), _ => true).IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void Keys_grafana_adds_to_models_do_not_count_but_removed_keys_do()
    {
        var desired = Desired("a");
        RuleGroupDiff.Compare(desired, Observed(desired, 60, r => { r.Data[0].Model["legendFormat"] = ""; return r; }), _ => true).IsEmpty.ShouldBeTrue();
        RuleGroupDiff.Compare(desired, Observed(desired, 60, r => { r.Data[0].Model.Remove("rawQuery"); return r; }), _ => true).NeedsPut.ShouldBeTrue();
    }

    [Fact]
    public void A_rule_not_in_the_spec_any_more_needs_a_put_that_drops_it()
    {
        var before = Desired("old", "kept");
        var after = Desired("kept");
        var changes = RuleGroupDiff.Compare(after, Observed(before, 60), _ => true);
        changes.NeedsPut.ShouldBeTrue();
        changes.ToCreate.ShouldBeEmpty();
        changes.Differences.ShouldContain(d => d.StartsWith("unexpected rule", StringComparison.Ordinal));
    }

    [Fact]
    public void A_renamed_rule_is_created_and_the_old_one_dropped()
    {
        var before = Desired("old name");
        var after = Desired("new name");
        var existing = before.Rules.Select(r => r.Grafana.Uid!).ToHashSet();
        var changes = RuleGroupDiff.Compare(after, Observed(before, 60), existing.Contains);
        changes.ToCreate.ShouldHaveSingleItem().Title.ShouldBe("new name");
        changes.NeedsPut.ShouldBeTrue();
    }

    [Fact]
    public void A_number_grafana_writes_in_another_form_is_the_same_number()
    {
        var desired = Desired("a");
        var refId = desired.Rules[0].Grafana.Data.Single(q => q.Model["type"]?.GetValue<string>() == "threshold").RefId;
        string? written = null;
        var stored = Observed(desired, 60, r =>
        {
            // The kept model is text: a threshold Grafana writes as 5.000E+001 for the 50 sent must still compare by value.
            var parameters = r.Data.Single(q => q.RefId == refId).Model["conditions"]![0]!["evaluator"]!["params"]!.AsArray();
            written = parameters[0]!.GetValue<double>().ToString("E3", System.Globalization.CultureInfo.InvariantCulture);
            parameters[0] = System.Text.Json.Nodes.JsonNode.Parse(written);
            return r;
        });
        written!.ShouldContain("E+");
        RuleGroupDiff.Compare(desired, stored, _ => true).IsEmpty.ShouldBeTrue();
        RuleGroupDiff.Compare(Desired("a"), Observed(desired, 60, r =>
        {
            var parameters = r.Data.Single(q => q.RefId == refId).Model["conditions"]![0]!["evaluator"]!["params"]!.AsArray();
            parameters[0] = parameters[0]!.GetValue<double>() + 1;
            return r;
        }), _ => true).NeedsPut.ShouldBeTrue();
    }
}

using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Reconcile;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts;

/// <summary>Which AppAlert keeps a rule title shared within an app (pure).</summary>
public sealed class DuplicateTitlesTests
{
    private static readonly DateTime Earlier = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static V1Alpha1AppAlert Of(string ns, string name, DateTime created, string? app, params string[] rules)
    {
        var alert = Alert(ns, name, [.. rules.Select(r => Rule(r))]);
        alert.Metadata.CreationTimestamp = created;
        alert.Spec.App = app;
        return alert;
    }

    private static void MarkHeld(V1Alpha1AppAlert alert, params string[] rules) => alert.Status = new AppAlertStatus
    {
        Grafana = new GrafanaRuleGroupStatus { FolderUid = AlertNames.FolderUid(AlertDefaults.App(alert)), RuleGroup = "g" },
        Rules = [.. rules.Select(r => new AlertRuleStatus { Name = r, Synced = true })],
    };

    [Fact]
    public void The_later_appalert_of_an_app_is_refused_naming_the_field_the_other_appalert_and_its_rule()
    {
        var first = Of("ns-a", "first", Earlier, "shared", "r1", "r2");
        var second = Of("ns-b", "second", Earlier.AddMinutes(1), "shared", "r3", "r2");

        var clash = DuplicateTitles.Find(second, [first, second]).ShouldHaveSingleItem();

        clash.ShouldBe(new TitleClash(1, "r2", new ObjectKey("ns-a", "first"), 1));
        clash.ToProblem("app-shared").ToString().ShouldBe(
            "rule \"r2\": spec.rules[1].name: the title is taken in Grafana folder app-shared by AppAlert ns-a/first (spec.rules[1].name); rule names must be unique across the AppAlerts of one app");
        DuplicateTitles.Find(first, [first, second]).ShouldBeEmpty("the first keeps its titles");
    }

    [Fact]
    public void Same_age_falls_back_to_namespace_then_name_and_other_apps_never_clash()
    {
        var b = Of("ns", "b", Earlier, "shared", "r1");
        var a = Of("ns", "a", Earlier, "shared", "r1");
        var elsewhere = Of("ns", "c", Earlier.AddDays(-1), "other", "r1");

        DuplicateTitles.Find(b, [b, a, elsewhere]).ShouldHaveSingleItem().Other.ShouldBe(new ObjectKey("ns", "a"));
        DuplicateTitles.Find(a, [b, a, elsewhere]).ShouldBeEmpty();
        DuplicateTitles.Find(elsewhere, [b, a, elsewhere]).ShouldBeEmpty();
    }

    [Fact]
    public void The_app_defaults_to_the_namespace()
    {
        var first = Of("butler", "one", Earlier, null, "r1");
        var second = Of("butler", "two", Earlier.AddSeconds(1), "butler", "r1");

        DuplicateTitles.Find(second, [first]).ShouldHaveSingleItem().Other.Name.ShouldBe("one");
    }

    [Fact]
    public void An_appalert_whose_rule_Grafana_holds_keeps_the_title_against_an_older_one_that_takes_it_up_later()
    {
        var older = Of("ns", "older", Earlier, "shared", "r1", "late");
        var holder = Of("ns", "holder", Earlier.AddHours(1), "shared", "late");
        MarkHeld(holder, "late");
        MarkHeld(older, "r1");

        DuplicateTitles.Find(older, [older, holder]).ShouldHaveSingleItem().ShouldBe(new TitleClash(1, "late", new ObjectKey("ns", "holder"), 0));
        DuplicateTitles.Find(holder, [older, holder]).ShouldBeEmpty();
    }

    [Fact]
    public void A_name_repeated_within_one_appalert_is_left_to_validation()
    {
        var alert = Of("ns", "a", Earlier, null, "r1", "r1");

        DuplicateTitles.Find(alert, [alert]).ShouldBeEmpty();
    }
}

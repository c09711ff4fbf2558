using System.Text.Json.Nodes;
using MetricsOperator.Alerts;
using MetricsOperator.Tests.Integration;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// One AppAlert's failure stays its own (issue 15, items 3 and 4): rule titles shared within an app are refused before
/// any write, a refusal backs off per AppAlert and leaves the stack's shared Grafana session alone, only GrafanaReady
/// gates sync, and a blocked deletion shows in status. Real API server, Grafana 11.4 fake with its title constraint.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class AppAlertIsolationTests(ApiServerFixture fixture)
{
    private const string RulePost = "/api/v1/provisioning/alert-rules";
    private const string GroupPath = "/api/v1/provisioning/folder/{FolderUID}/rule-groups/{Group}";

    [Fact]
    public async Task A_rule_name_shared_within_an_app_refuses_the_later_appalert_and_leaves_the_first_untouched()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        await op.CreateAsync(Shared(op, "first", "r1", "r2"));
        var first = await op.WaitForReadyAsync("first", "True", AppAlertReasons.Synced);
        var firstGroup = GroupJson(op, "first");
        var firstReady = first.Status.Conditions!.Single(c => c.Type == "Ready");

        await op.CreateAsync(Shared(op, "second", "r3", "r2"));
        var second = await op.WaitForReadyAsync("second", "False", AppAlertReasons.DuplicateRuleTitle);

        var message = second.Status.Conditions!.Single(c => c.Type == "Ready").Message;
        message.ShouldContain("rule \"r2\": spec.rules[1].name");
        message.ShouldContain($"AppAlert {op.Namespace}/first (spec.rules[1].name)");
        op.Grafana.State.Group(AlertNames.FolderUid("shared", op.Environment), AlertNames.RuleGroup(op.Namespace, "second", op.Environment)).ShouldBeNull("nothing of the refused AppAlert is written");

        // A few seconds later: no storm, no write, no flapping of the first.
        op.Grafana.Requests.Reset();
        var reconciles = op.AppAlertReconciles();
        await Task.Delay(TimeSpan.FromSeconds(3));
        (op.AppAlertReconciles() - reconciles).ShouldBeLessThanOrEqualTo(2, "the refused AppAlert waits for the other to change, it does not poll");
        op.Grafana.Requests.Total.ShouldBe(0, string.Join(", ", op.Grafana.Requests.Snapshot()));
        (await op.WarningEventsAsync("second")).ShouldBe(1);
        (await op.WarningEventsAsync("first")).ShouldBe(0);
        first = (await op.GetAsync("first"))!;
        first.Status.Conditions!.Single(c => c.Type == "Ready").ShouldSatisfyAllConditions(
            c => c.Status.ShouldBe("True"),
            c => c.LastTransitionTime.ShouldBe(firstReady.LastTransitionTime));
        GroupJson(op, "first").ShouldBe(firstGroup);

        // The first lets the title go: the second is woken by that change, not by a resync.
        await op.ReplaceSpecAsync("first", spec => spec.Rules.RemoveAt(1));
        await op.WaitForReadyAsync("second", "True", AppAlertReasons.Synced, TimeSpan.FromSeconds(10));
        op.Grafana.State.Group(AlertNames.FolderUid("shared", op.Environment), AlertNames.RuleGroup(op.Namespace, "second", op.Environment))!.Rules.Select(r => r["title"]!.GetValue<string>()).ShouldBe(["r3", "r2"]);
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_title_Grafana_holds_for_an_undeclared_rule_is_refused_with_backoff_and_no_other_appalert_notices()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        await op.CreateAsync(Alert(op.Namespace, "bystander", Rule("b1")));
        var bystander = await op.WaitForReadyAsync("bystander", "True", AppAlertReasons.Synced);
        // The folder the operator will write app "clash" into, made by hand first, holding a rule titled as the AppAlert's.
        var clashFolder = AlertNames.FolderUid("clash", op.Environment);
        op.Grafana.State.CreateFolder("clash", clashFolder);
        op.Grafana.State.CreateRule(new JsonObject
        {
            ["uid"] = "made-in-the-ui", ["orgID"] = 1, ["folderUID"] = clashFolder, ["ruleGroup"] = "by-hand", ["title"] = "Taken", ["condition"] = "A",
            ["data"] = new JsonArray(new JsonObject { ["refId"] = "A", ["datasourceUid"] = "__expr__", ["model"] = new JsonObject { ["refId"] = "A", ["type"] = "math", ["expression"] = "1" } }),
            ["noDataState"] = "NoData", ["execErrState"] = "Error", ["for"] = "1m",
        });

        op.Grafana.Requests.Reset();
        var failing = Alert(op.Namespace, "failing", Rule("Taken"));
        failing.Spec.App = "clash";
        await op.CreateAsync(failing);
        var refused = await op.WaitForReadyAsync("failing", "False", AppAlertReasons.DuplicateRuleTitle);
        refused.Status.Conditions!.Single(c => c.Type == "Ready").Message.ShouldContain("rule title under the same organisation and folder should be unique");

        // Per-item backoff (5 ms, doubling): the gaps between the POSTs grow, where a fixed retry would keep them
        // even. Gaps rather than counts per time window, because a slow machine adds the same delay to every try:
        // 5, 10, 20 ms … become 305, 310, 320 ms …, which still grow but crowd a later window.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var posts = op.Grafana.Requests.Arrivals("POST", RulePost);
        var gaps = posts.Zip(posts.Skip(1), (earlier, later) => later - earlier).ToList();
        var pacing = $"{posts.Count} POSTs, gaps {string.Join(", ", gaps.Select(g => $"{g.TotalMilliseconds:F0} ms"))}";
        posts.Count.ShouldBeInRange(4, 14, pacing);
        gaps[^1].ShouldBeGreaterThanOrEqualTo(gaps[0] * 2, pacing);
        op.Grafana.Requests.Count("PUT", GroupPath).ShouldBe(0, "a title conflict is never read as 'the rule exists'");
        op.Grafana.Requests.Count("GET", RulePost).ShouldBe(0, "the stack's snapshot was not dropped for everyone");
        op.Grafana.State.Rule("made-in-the-ui")!["title"]!.GetValue<string>().ShouldBe("Taken");

        (await op.WarningEventsAsync("failing")).ShouldBe(1);
        (await op.WarningEventsAsync("bystander")).ShouldBe(0);
        (await op.GetAsync("bystander"))!.Status.Conditions!.Single(c => c.Type == "Ready").LastTransitionTime
            .ShouldBe(bystander.Status.Conditions!.Single(c => c.Type == "Ready").LastTransitionTime);
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task An_InfluxDB_outage_does_not_freeze_alert_edits()
    {
        await using var op = await WithOneSyncedAsync();

        await op.SetStackStatusAsync(influxDbReplicasReady: 0);
        await op.ReplaceSpecAsync("a", spec => spec.Rules[0].Condition!.Threshold = 7);

        await Eventually.UntilAsync(
            () => op.Grafana.State.Rule(AlertNames.RuleUid(op.Namespace, "a", "r1", op.Environment))?["data"]?[2]?["model"]?["conditions"]?[0]?["evaluator"]?["params"]?[0]?.GetValue<double>() == 7,
            "the edit reached Grafana while InfluxDB was down");
        await op.WaitForReadyAsync("a", "True", AppAlertReasons.Synced);
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_deletion_Grafana_refuses_shows_in_status_until_it_goes_through()
    {
        await using var op = await WithOneSyncedAsync();
        op.Grafana.Faults.FailNext(1000, 403, "DELETE", GroupPath);

        await op.DeleteAsync("a");

        var blocked = await Eventually.UntilAsync(
            () => op.GetAsync("a"),
            a => a.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { Status: "False", Reason: AppAlertReasons.DeletionBlocked },
            "the blocked deletion is in status");
        blocked.Status.Conditions!.Single(c => c.Type == "Ready").Message.ShouldContain("403");
        blocked.Metadata.Finalizers.ShouldContain(AppAlertFinalizer.FinalizerName);

        op.Grafana.Faults.Clear();
        await Eventually.UntilAsync(async () => await op.GetAsync("a") is null ? "gone" : null, _ => true, "the AppAlert is gone once Grafana lets the group go", TimeSpan.FromSeconds(20));
        op.Grafana.State.RuleCount.ShouldBe(0);
    }

    // The operator with AppAlert "a" (rule "r1") synced.
    private async Task<AlertOperator> WithOneSyncedAsync()
    {
        var op = await AlertOperator.StartAsync(fixture.Plane);
        await op.CreateAsync(Alert(op.Namespace, "a", Rule("r1")));
        await op.WaitForReadyAsync("a", "True", AppAlertReasons.Synced);
        return op;
    }

    private static MetricsOperator.Crds.V1Alpha1AppAlert Shared(AlertOperator op, string name, params string[] rules)
    {
        var alert = Alert(op.Namespace, name, [.. rules.Select(r => Rule(r))]);
        alert.Spec.App = "shared";
        return alert;
    }

    private static List<string> GroupJson(AlertOperator op, string name) =>
        [.. op.Grafana.State.Group(AlertNames.FolderUid("shared", op.Environment), AlertNames.RuleGroup(op.Namespace, name, op.Environment))!.Rules.Select(r => r.ToJsonString())];
}

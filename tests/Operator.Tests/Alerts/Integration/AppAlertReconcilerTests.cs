using MetricsOperator.Fakes.Grafana;
using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using MetricsOperator.Tests.Integration;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// The AppAlert controller on the real API server (operator identity, generated RBAC) against the contract-checked
/// Grafana 11.4 fake. Every test ends with no contract violation.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class AppAlertReconcilerTests(ApiServerFixture fixture)
{
    private const string GroupPut = "/api/v1/provisioning/folder/{FolderUID}/rule-groups/{Group}";

    [Fact]
    public async Task Create_edit_rename_and_delete_reach_grafana()
    {
        // The exact identities of the harness's default environment ("test"), spelled out rather than derived from
        // AlertNames, so that a change of the naming scheme fails here; the other tests derive them.
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        op.Environment.ShouldBe("test");
        var alert = Alert(op.Namespace, "login", Rule("Login failures"), Rule("Slow logins"));
        alert.Spec.App = "gafaelfawr";
        await op.CreateAsync(alert);

        var ready = await op.WaitForReadyAsync("login", "True", AppAlertReasons.Synced);
        ready.Status.Grafana!.FolderUid.ShouldBe("app-test_gafaelfawr");
        ready.Status.Grafana.RuleGroup.ShouldBe($"test_{op.Namespace}_login");
        ready.Status.Rules!.Select(r => (r.Name, r.Uid, r.Synced)).ShouldBe(
            [("Login failures", AlertNames.RuleUid(op.Namespace, "login", "Login failures", "test"), (bool?)true), ("Slow logins", AlertNames.RuleUid(op.Namespace, "login", "Slow logins", "test"), true)]);
        ready.Status.Conditions!.Single(c => c.Type == "Synced").Status.ShouldBe("True");
        ready.Metadata.Finalizers.ShouldContain(AppAlertFinalizer.FinalizerName);
        op.Grafana.State.Folder("app-test_gafaelfawr").ShouldNotBeNull().Title.ShouldBe("gafaelfawr (test)");
        var group = op.Grafana.State.Group("app-test_gafaelfawr", $"test_{op.Namespace}_login").ShouldNotBeNull();
        group.IntervalSeconds.ShouldBe(60);
        group.Rules.Select(r => r["title"]!.GetValue<string>()).ShouldBe(["Login failures", "Slow logins"]);
        group.Rules.ShouldAllBe(r => r["provenance"]!.GetValue<string>() == "api");

        // Edit: threshold and interval; rename: one rule gets a new UID, the old one goes.
        await op.ReplaceSpecAsync("login", spec =>
        {
            spec.Interval = "30s";
            spec.Rules[0].Condition!.Threshold = 75;
            spec.Rules[1].Name = "Very slow logins";
        });
        await op.WaitForReadyAsync("login", "True", AppAlertReasons.Synced);
        group = op.Grafana.State.Group("app-test_gafaelfawr", $"test_{op.Namespace}_login").ShouldNotBeNull();
        group.IntervalSeconds.ShouldBe(30);
        group.Rules.Select(r => r["uid"]!.GetValue<string>()).ShouldBe(
            [AlertNames.RuleUid(op.Namespace, "login", "Login failures", "test"), AlertNames.RuleUid(op.Namespace, "login", "Very slow logins", "test")]);
        group.Rules[0]["data"]![2]!["model"]!["conditions"]![0]!["evaluator"]!["params"]![0]!.GetValue<double>().ShouldBe(75);
        op.Grafana.State.RuleCount.ShouldBe(2, "no orphan of the renamed rule");

        await op.DeleteAsync("login");
        await WaitGoneAsync(op, "login");
        op.Grafana.State.RuleCount.ShouldBe(0);
        op.Grafana.State.Folder("app-test_gafaelfawr").ShouldBeNull("the folder went with its last group");
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_no_op_resync_makes_no_grafana_write_and_drift_is_put_back()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane, resyncPeriod: TimeSpan.FromMilliseconds(700),
            options: new AlertSyncOptions { SnapshotMaxAge = TimeSpan.FromMilliseconds(500) });
        await op.CreateAsync(Alert(op.Namespace, "a", Rule("r1"), Rule("r2")));
        await op.WaitForReadyAsync("a", "True", AppAlertReasons.Synced);

        op.Grafana.Requests.Reset();
        await Task.Delay(TimeSpan.FromSeconds(3));
        op.Grafana.Requests.Writes.ShouldBe(0, string.Join(", ", op.Grafana.Requests.Snapshot()));
        op.Grafana.Requests.Count("GET", "/api/v1/provisioning/alert-rules").ShouldBeGreaterThan(0, "the snapshot is listed again each window");

        var uid = AlertNames.RuleUid(op.Namespace, "a", "r1", op.Environment);
        op.Grafana.State.MutateRule(uid, r => r["title"] = "edited in the UI");
        await Eventually.UntilAsync(() => op.Grafana.State.Rule(uid)?["title"]?.GetValue<string>() == "r1", "the drift is put back");
        op.Grafana.State.Group(AlertNames.FolderUid(op.Namespace, op.Environment), AlertNames.RuleGroup(op.Namespace, "a", op.Environment))!.Rules.Count.ShouldBe(2);

        op.Grafana.State.RemoveRule(uid);
        await Eventually.UntilAsync(() => op.Grafana.State.Rule(uid) is not null, "a rule deleted in the UI comes back");
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Killed_between_the_posts_and_the_group_put_converges_without_duplicates()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        op.Grafana.Faults.FailNext(1000, 500, "PUT", GroupPut);
        await op.CreateAsync(Alert(op.Namespace, "a", Rule("r1"), Rule("r2"), Rule("r3")));
        await op.WaitForReadyAsync("a", "False", AppAlertReasons.GrafanaUnavailable);
        await Eventually.UntilAsync(() => op.Grafana.State.RuleCount == 3, "the POSTs went through");

        await op.StopAsync();
        op.Grafana.Faults.Clear();
        op.Start();

        await op.WaitForReadyAsync("a", "True", AppAlertReasons.Synced);
        op.Grafana.State.RuleCount.ShouldBe(3);
        var group = op.Grafana.State.Group(AlertNames.FolderUid(op.Namespace, op.Environment), AlertNames.RuleGroup(op.Namespace, "a", op.Environment)).ShouldNotBeNull();
        group.Rules.Select(r => r["title"]!.GetValue<string>()).ShouldBe(["r1", "r2", "r3"]);
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Grafana_errors_and_timeouts_are_reported_backed_off_and_recovered()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        op.Grafana.Faults.Unavailable = true;
        await op.CreateAsync(Alert(op.Namespace, "a"));
        var down = await op.WaitForReadyAsync("a", "False", AppAlertReasons.GrafanaUnavailable);
        down.Status.Conditions!.Single(c => c.Type == "Ready").Message.ShouldContain("503");

        // Backoff: a second of outage costs a handful of requests, not a tight loop.
        op.Grafana.Requests.Reset();
        await Task.Delay(TimeSpan.FromSeconds(1));
        op.Grafana.Requests.Total.ShouldBeLessThan(20);

        // Timeouts: slower than the client's attempt timeout.
        op.Grafana.Faults.Unavailable = false;
        op.Grafana.Faults.Latency = TimeSpan.FromSeconds(2);
        await Eventually.UntilAsync(async () => await op.GetAsync("a"),
            a => a.Status.Conditions!.Single(c => c.Type == "Ready").Message.Contains("timed out", StringComparison.Ordinal), "a timeout is reported");

        op.Grafana.Faults.Clear();
        await op.WaitForReadyAsync("a", "True", AppAlertReasons.Synced, TimeSpan.FromSeconds(30));
        op.Grafana.State.RuleCount.ShouldBe(1);
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Two_appalerts_of_one_app_share_the_folder_and_never_touch_each_others_group()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        foreach (var name in new[] { "one", "two" })
        {
            // Rule names are unique per app (Grafana 11.4 refuses a title twice in a folder): DuplicateTitleTests.
            var alert = Alert(op.Namespace, name, Rule($"{name}-r1"), Rule($"{name}-r2"));
            alert.Spec.App = "shared";
            await op.CreateAsync(alert);
        }

        var one = await op.WaitForReadyAsync("one", "True", AppAlertReasons.Synced);
        var two = await op.WaitForReadyAsync("two", "True", AppAlertReasons.Synced);
        one.Status.Grafana!.FolderUid.ShouldBe(two.Status.Grafana!.FolderUid);
        one.Status.Grafana.RuleGroup.ShouldNotBe(two.Status.Grafana.RuleGroup);
        var twoBefore = op.Grafana.State.Group(AlertNames.FolderUid("shared", op.Environment), AlertNames.RuleGroup(op.Namespace, "two", op.Environment))!.Rules.Select(r => r.ToJsonString()).ToList();

        op.Grafana.Requests.Reset();
        await op.ReplaceSpecAsync("one", spec => spec.Rules[0].Condition!.Threshold = 1);
        await Eventually.UntilAsync(
            () => op.Grafana.State.Group(AlertNames.FolderUid("shared", op.Environment), AlertNames.RuleGroup(op.Namespace, "one", op.Environment))!.Rules[0]["data"]![2]!["model"]!["conditions"]![0]!["evaluator"]!["params"]![0]!.GetValue<double>() == 1,
            "the edit reached Grafana");
        op.Grafana.Requests.Count("PUT", GroupPut).ShouldBe(1);
        op.Grafana.State.Group(AlertNames.FolderUid("shared", op.Environment), AlertNames.RuleGroup(op.Namespace, "two", op.Environment))!.Rules.Select(r => r.ToJsonString()).ShouldBe(twoBefore);

        await op.DeleteAsync("one");
        await WaitGoneAsync(op, "one");
        op.Grafana.State.Folder(AlertNames.FolderUid("shared", op.Environment)).ShouldNotBeNull("the other group still lives there");
        op.Grafana.State.Group(AlertNames.FolderUid("shared", op.Environment), AlertNames.RuleGroup(op.Namespace, "two", op.Environment))!.Rules.Select(r => r.ToJsonString()).ShouldBe(twoBefore);
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Invalid_rules_change_nothing_unless_partial_sync_and_editable_drops_provenance()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        var alert = Alert(op.Namespace, "a", Rule("good"), Rule("bad"));
        alert.Spec.Rules[1].Condition!.Operator = ThresholdOperator.WithinRange;
        await op.CreateAsync(alert);
        var invalid = await op.WaitForReadyAsync("a", "False", AppAlertReasons.InvalidRule);
        invalid.Status.Conditions!.Single(c => c.Type == "Ready").Message.ShouldContain("rule \"bad\": spec.rules[1].condition.upperThreshold");
        invalid.Status.Rules!.Single(r => r.Name == "bad").Message!.ShouldContain("upperThreshold");
        op.Grafana.State.RuleCount.ShouldBe(0);

        await op.ReplaceSpecAsync("a", spec => { spec.PartialSync = true; spec.EditableInGrafana = true; });
        await Eventually.UntilAsync(async () => await op.GetAsync("a"), a => a.Status.Rules?.SingleOrDefault(r => r.Name == "good")?.Synced == true, "the valid rule is synced");
        var stored = op.Grafana.State.Rule(AlertNames.RuleUid(op.Namespace, "a", "good", op.Environment)).ShouldNotBeNull();
        stored["provenance"]!.GetValue<string>().ShouldBe("");
        op.Grafana.State.RuleCount.ShouldBe(1);
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task An_appalert_waits_for_its_stack()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane, stackStatus: false);
        await op.CreateAsync(Alert(op.Namespace, "a"));
        (await op.WaitForReadyAsync("a", "False", AppAlertReasons.StackNotReady)).Status.Conditions!.Single(c => c.Type == "Ready").Message.ShouldContain("has not reported GrafanaReady");

        var missing = Alert(op.Namespace, "b");
        missing.Spec.StackRef = new StackReference { Name = "nope" };
        await op.CreateAsync(missing);
        await op.WaitForReadyAsync("b", "False", AppAlertReasons.StackNotReady);

        await op.SetStackStatusAsync();
        await op.WaitForReadyAsync("a", "True", AppAlertReasons.Synced);
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Changing_stackRef_moves_the_rules_and_deletion_cleans_the_Grafana_status_names_not_the_one_the_spec_names()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        await using var second = await GrafanaFake.StartNewAsync();
        await op.CreateOtherStackAsync("second", second);
        await op.CreateAsync(Alert(op.Namespace, "moving", Rule("Login failures")));
        var first = await op.WaitForReadyAsync("moving", "True", AppAlertReasons.Synced);
        (first.Status.Grafana!.Stack, first.Status.Grafana.Url).ShouldBe(($"{op.Namespace}/metrics", op.Grafana.BaseUri.ToString()));
        op.Grafana.State.RuleCount.ShouldBe(1);

        // stackRef changes: the rules leave the first Grafana before they reach the second.
        await op.PatchSpecAsync("moving", new { stackRef = new { name = "second", @namespace = op.Namespace } });
        var moved = await Eventually.UntilAsync(() => op.GetAsync("moving"), a => a.Status?.Grafana?.Stack == $"{op.Namespace}/second" && a.Status.ObservedGeneration == a.Metadata.Generation, "status records the second stack");
        moved.Status.Grafana!.Url.ShouldBe(second.BaseUri.ToString());
        op.Grafana.State.RuleCount.ShouldBe(0, "nothing keeps firing in the Grafana the AppAlert left");
        second.State.RuleCount.ShouldBe(1);

        // The spec now names a stack that does not exist; the rules are still in the second Grafana, and deletion removes them there.
        await op.PatchSpecAsync("moving", new { stackRef = new { name = "gone", @namespace = op.Namespace } });
        await op.WaitForReadyAsync("moving", "False", AppAlertReasons.StackNotReady);
        second.State.RuleCount.ShouldBe(1, "a stackRef to nothing removes nothing");
        await op.DeleteAsync("moving");
        await WaitGoneAsync(op, "moving");
        second.State.RuleCount.ShouldBe(0, "the finalizer cleaned where status said the rules were");
        op.Grafana.Contract.AssertNoContractViolations();
        second.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Deletion_waits_while_the_recorded_Grafana_is_unreachable_and_says_so()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        await op.CreateAsync(Alert(op.Namespace, "stuck", Rule("Login failures")));
        await op.WaitForReadyAsync("stuck", "True", AppAlertReasons.Synced);

        await op.Grafana.StopAsync();
        await op.DeleteAsync("stuck");
        var blocked = await Eventually.UntilAsync(() => op.GetAsync("stuck"), a => a.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Reason == AppAlertReasons.DeletionBlocked) == true, "Ready=False DeletionBlocked");
        blocked.Metadata.Finalizers.ShouldContain(AppAlertFinalizer.FinalizerName);

        await op.Grafana.StartAsync();
        await WaitGoneAsync(op, "stuck");
        op.Grafana.State.RuleCount.ShouldBe(0);
    }

    private static async Task WaitGoneAsync(AlertOperator op, string name)
    {
        await Eventually.UntilAsync(async () => await op.GetAsync(name) is null ? "gone" : null, _ => true, $"AppAlert {name} is gone");
    }
}

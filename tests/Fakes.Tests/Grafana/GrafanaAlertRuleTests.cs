using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Tests.Grafana;

/// <summary>Alert rules and rule groups behave as in Grafana 11.4, bugs included.</summary>
public sealed class GrafanaAlertRuleTests : GrafanaTestBase
{
    [Fact]
    public async Task A_posted_rule_is_stored_as_Grafana_stores_it()
    {
        await CreateFolderAsync();

        var created = await PostRuleAsync(Rule("butler-latency", "Butler latency"));

        created["provenance"]!.GetValue<string>().ShouldBe("api");
        created["for"]!.GetValue<string>().ShouldBe("5m", "Grafana returns durations re-formatted");
        created["data"]![0]!["model"]!["intervalMs"]!.GetValue<int>().ShouldBe(1000, "Grafana completes query models on save");
        var group = await Http.GetFromJsonAsync<JsonObject>("/api/v1/provisioning/folder/app-butler/rule-groups/butler-alerts");
        group!["interval"]!.GetValue<long>().ShouldBe(60, "a new group gets the default interval");
        group["rules"]!.AsArray().Single()!["uid"]!.GetValue<string>().ShouldBe("butler-latency");
        var editable = await PostRuleAsync(Rule("butler-errors", "Butler errors"), disableProvenance: true);
        editable["provenance"]!.GetValue<string>().ShouldBe("");
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_rule_in_a_missing_folder_is_refused_and_a_taken_uid_conflicts()
    {
        var missing = await Http.PostAsJsonAsync("/api/v1/provisioning/alert-rules", Rule("r1", "R1", folderUid: "nowhere"));
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await missing.Content.ReadAsStringAsync()).ShouldContain("folder does not exist");

        await CreateFolderAsync();
        await PostRuleAsync(Rule("r1", "R1"));
        (await Http.PostAsJsonAsync("/api/v1/provisioning/alert-rules", Rule("r1", "R1 again"))).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Http.GetAsync("/api/v1/provisioning/alert-rules/nope")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        Grafana.State.RuleCount.ShouldBe(1);
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_group_PUT_replaces_the_group_and_deletes_rules_it_omits()
    {
        await CreateFolderAsync();
        var first = await PostRuleAsync(Rule("butler-latency", "Butler latency"));
        await PostRuleAsync(Rule("butler-errors", "Butler errors"));

        var response = await PutGroupAsync(30, Rule("butler-latency", "Butler latency (p99)"), Rule(null, "Butler saturation"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var echoed = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        echoed["rules"]![1]!["uid"].ShouldBeNull("the response only echoes the request");
        var group = Grafana.State.Group("app-butler", "butler-alerts")!;
        group.IntervalSeconds.ShouldBe(30);
        group.Rules.Select(r => r["title"]!.GetValue<string>()).ShouldBe(["Butler latency (p99)", "Butler saturation"]);
        Grafana.State.Rule("butler-errors").ShouldBeNull("a rule missing from the PUT is deleted");
        group.Rules[0]["id"]!.GetValue<long>().ShouldBe(first["id"]!.GetValue<long>());
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_group_PUT_with_a_uid_no_rule_has_is_a_500_as_in_Grafana_before_11_6()
    {
        await CreateFolderAsync();
        await PostRuleAsync(Rule("butler-latency", "Butler latency"));

        var response = await PutGroupAsync(60, Rule("butler-latency", "Butler latency"), Rule("butler-new", "Butler new"));

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await response.Content.ReadAsStringAsync()).ShouldContain("butler-new");
        Grafana.State.Rule("butler-new").ShouldBeNull();
        Grafana.State.RuleCount.ShouldBe(1, "nothing changed");
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_no_op_group_PUT_leaves_rules_untouched_and_drift_is_visible()
    {
        await CreateFolderAsync();
        await PostRuleAsync(Rule("butler-latency", "Butler latency"));
        (await PutGroupAsync(60, Rule("butler-latency", "Butler latency"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var before = Grafana.State.Rule("butler-latency")!;
        await Task.Delay(1100);

        (await PutGroupAsync(60, Rule("butler-latency", "Butler latency"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        Grafana.State.Rule("butler-latency")!["updated"]!.GetValue<string>().ShouldBe(before["updated"]!.GetValue<string>());

        Grafana.State.MutateRule("butler-latency", r => r["title"] = "edited in the UI");
        var read = await Http.GetFromJsonAsync<JsonObject>("/api/v1/provisioning/alert-rules/butler-latency");
        read!["title"]!.GetValue<string>().ShouldBe("edited in the UI");
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Group_intervals_must_be_positive_multiples_of_ten_seconds_and_names_at_most_190()
    {
        await CreateFolderAsync();
        (await PutGroupAsync(15, Rule(null, "x"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await PutGroupAsync(0, Rule(null, "x"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var longName = new string('g', 191);
        var tooLong = await Http.PutAsJsonAsync($"/api/v1/provisioning/folder/app-butler/rule-groups/{longName}", new JsonObject { ["interval"] = 60, ["rules"] = new JsonArray() });
        tooLong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        Grafana.State.RuleCount.ShouldBe(0);
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Provenance_guards_single_rule_changes_and_groups_are_deleted_whole()
    {
        await CreateFolderAsync();
        await PostRuleAsync(Rule("butler-latency", "Butler latency"));

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/provisioning/alert-rules/butler-latency");
        delete.Headers.Add("X-Disable-Provenance", "true");
        (await Http.SendAsync(delete)).StatusCode.ShouldBe(HttpStatusCode.InternalServerError, "an api-provisioned rule cannot be deleted as editable");
        Grafana.State.RuleCount.ShouldBe(1);

        (await Http.DeleteAsync("/api/v1/provisioning/folder/app-butler/rule-groups/butler-alerts")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        Grafana.State.RuleCount.ShouldBe(0);
        (await Http.DeleteAsync("/api/v1/provisioning/folder/app-butler/rule-groups/butler-alerts")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Http.DeleteAsync("/api/v1/provisioning/alert-rules/gone")).StatusCode.ShouldBe(HttpStatusCode.NoContent, "single deletes are idempotent");
        Grafana.Contract.AssertNoContractViolations();
    }
}

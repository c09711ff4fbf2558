using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Tests.Grafana;

/// <summary>
/// Grafana 11.4 keeps rule titles unique per folder (unique index on org_id, namespace_uid, title): 409 on POST,
/// 400 on the rule PUT and on the group PUT, with Grafana's message; other folders and the rule itself are no conflict.
/// </summary>
public sealed class GrafanaRuleTitleTests : GrafanaTestBase
{
    private const string Unique = "rule title under the same organisation and folder should be unique";

    [Fact]
    public async Task A_POST_with_a_title_taken_in_the_folder_is_a_409_naming_the_title()
    {
        await CreateFolderAsync();
        await PostRuleAsync(Rule("r1", "Butler latency"));

        var response = await Http.PostAsJsonAsync("/api/v1/provisioning/alert-rules", Rule("r2", "Butler latency", group: "other-group"));

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var message = await MessageAsync(response);
        message.ShouldContain(Unique);
        message.ShouldContain("title: 'Butler latency'");
        message.ShouldContain("namespace_uid: 'app-butler'");
        Grafana.State.Rule("r2").ShouldBeNull();
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task The_same_title_in_another_folder_is_no_conflict()
    {
        await CreateFolderAsync();
        await CreateFolderAsync("app-other", "other");
        await PostRuleAsync(Rule("r1", "Butler latency"));

        await PostRuleAsync(Rule("r2", "Butler latency", folderUid: "app-other"));

        Grafana.State.RuleCount.ShouldBe(2);
    }

    [Fact]
    public async Task A_rule_PUT_to_a_taken_title_is_a_400_and_keeping_its_own_title_is_not()
    {
        await CreateFolderAsync();
        await PostRuleAsync(Rule("r1", "Butler latency"));
        await PostRuleAsync(Rule("r2", "Butler errors"));

        var own = await Http.PutAsJsonAsync("/api/v1/provisioning/alert-rules/r2", Rule("r2", "Butler errors"));
        own.StatusCode.ShouldBe(HttpStatusCode.OK, await own.Content.ReadAsStringAsync());
        var taken = await Http.PutAsJsonAsync("/api/v1/provisioning/alert-rules/r2", Rule("r2", "Butler latency"));

        taken.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await MessageAsync(taken)).ShouldContain(Unique);
        Grafana.State.Rule("r2")!["title"]!.GetValue<string>().ShouldBe("Butler errors");
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_group_PUT_colliding_with_another_group_of_the_folder_or_itself_is_a_400_and_changes_nothing()
    {
        await CreateFolderAsync();
        await PostRuleAsync(Rule("other-1", "Butler latency", group: "someone-else"));
        await PostRuleAsync(Rule("mine-1", "Mine"));

        var withOther = await PutGroupAsync(60, Rule("mine-1", "Butler latency"));
        var withItself = await PutGroupAsync(60, Rule("mine-1", "Twice"), Rule(null, "Twice"));

        withOther.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await MessageAsync(withOther)).ShouldContain(Unique);
        withItself.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await MessageAsync(withItself)).ShouldContain("title: 'Twice'");
        Grafana.State.Group("app-butler", "butler-alerts")!.Rules.Single()["title"]!.GetValue<string>().ShouldBe("Mine");
        Grafana.State.RuleCount.ShouldBe(2);
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_group_PUT_may_reuse_a_title_its_own_rules_give_up()
    {
        await CreateFolderAsync();
        await PostRuleAsync(Rule("a", "First"));
        await PostRuleAsync(Rule("b", "Second"));

        // Swapping titles inside one group, and dropping a rule whose title a new rule takes, are fine.
        var swapped = await PutGroupAsync(60, Rule("a", "Second"), Rule("b", "First"));
        var replaced = await PutGroupAsync(60, Rule("a", "Second"), Rule(null, "First"));

        swapped.StatusCode.ShouldBe(HttpStatusCode.OK, await swapped.Content.ReadAsStringAsync());
        replaced.StatusCode.ShouldBe(HttpStatusCode.OK, await replaced.Content.ReadAsStringAsync());
        Grafana.State.Rule("b").ShouldBeNull();
    }

    private static async Task<string> MessageAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>();
}

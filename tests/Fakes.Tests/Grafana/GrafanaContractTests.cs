using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MetricsOperator.Fakes.Contracts;

namespace MetricsOperator.Fakes.Tests.Grafana;

/// <summary>The Grafana fake refuses what openapi3.json does not allow, naming the field.</summary>
public sealed class GrafanaContractTests : GrafanaTestBase
{
    [ContractTheory(ContractFiles.GrafanaFile)]
    [InlineData("condition", null, "$.condition: required property is missing")]
    [InlineData("noDataState", "Sometimes", "$.noDataState: \"Sometimes\" is not one of [Alerting, NoData, OK]")]
    [InlineData("orgID", "one", "$.orgID: expected an integer, got a string")]
    [InlineData("for", "five minutes", "$.for: \"five minutes\" is not a valid duration")]
    [InlineData("uid", "has spaces", "$.uid: \"has spaces\" does not match pattern")]
    public async Task A_malformed_rule_is_refused_naming_the_field(string field, string? value, string problem)
    {
        await CreateFolderAsync();
        var rule = Rule("r1", "R1");
        if (value is null)
        {
            rule.Remove(field);
        }
        else
        {
            rule[field] = value;
        }

        var response = await Http.PostAsJsonAsync("/api/v1/provisioning/alert-rules", rule);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>().ShouldContain(problem);
        Grafana.Contract.RequestViolations.ShouldHaveSingleItem();
        Grafana.Contract.AssertNoResponseViolations();
        Grafana.State.RuleCount.ShouldBe(0);
    }

    [ContractFact(ContractFiles.GrafanaFile)]
    public async Task A_label_that_is_not_a_string_is_refused_inside_a_group_PUT()
    {
        var rule = Rule(null, "R1");
        rule["labels"]!["severity"] = 3;

        var response = await PutGroupAsync(60, rule);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("$.rules[0].labels.severity: expected a string, got a number");
        Grafana.Contract.AssertNoResponseViolations();
    }

    [Fact]
    public async Task Requests_need_credentials_except_health()
    {
        using var anonymous = Grafana.CreateClient();
        (await anonymous.GetAsync("/api/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetAsync("/api/folders")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", Grafana.AddServiceAccountToken());
        (await anonymous.GetAsync("/api/folders")).StatusCode.ShouldBe(HttpStatusCode.OK);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "glsa_unknown");
        (await anonymous.GetAsync("/api/folders")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public void A_response_the_spec_does_not_allow_is_reported()
    {
        var log = new ContractViolationLog();
        log.Add(new ContractViolation(ContractSide.Response, "GET", "/api/health", "/api/health", ["response 200 $.version: expected a string"]));

        Should.Throw<ContractViolationException>(log.AssertNoResponseViolations).Message.ShouldContain("$.version");
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MetricsOperator.Fakes.Contracts;
using MetricsOperator.Fakes.Influx;

namespace MetricsOperator.Fakes.Tests.Influx;

/// <summary>The InfluxDB fake refuses what oss.yml does not allow, naming the field, and records it.</summary>
public sealed class InfluxContractTests : IAsyncLifetime
{
    private InfluxFake influx = null!;
    private HttpClient http = null!;
    private InfluxOnboarding setup = null!;

    public async Task InitializeAsync()
    {
        influx = await InfluxFake.StartNewAsync();
        setup = influx.Onboard();
        http = influx.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", setup.Token);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await influx.DisposeAsync();
    }

    [ContractFact(ContractFiles.InfluxDbFile)]
    public async Task A_bucket_without_orgID_is_refused_naming_the_field()
    {
        var response = await http.PostAsJsonAsync("/api/v2/buckets", new { name = "metrics2" });

        await ShouldBeRejected(response, HttpStatusCode.BadRequest, "$.orgID: required property is missing");
        influx.State.Buckets.ShouldNotContain(b => b.Name == "metrics2");
    }

    [ContractFact(ContractFiles.InfluxDbFile)]
    public async Task A_permission_with_an_unknown_action_is_refused_naming_the_field()
    {
        var response = await http.PostAsJsonAsync("/api/v2/authorizations", new
        {
            orgID = setup.Org.Id,
            permissions = new[] { new { action = "admin", resource = new { type = "buckets", id = setup.Bucket.Id } } },
        });

        await ShouldBeRejected(response, HttpStatusCode.BadRequest, "$.permissions[0].action: \"admin\" is not one of [read, write]");
    }

    [ContractFact(ContractFiles.InfluxDbFile)]
    public async Task A_retention_of_the_wrong_type_is_refused_naming_the_field()
    {
        var body = JsonNode.Parse($$"""{"orgID":"{{setup.Org.Id}}","name":"x","retentionRules":[{"type":"expire","everySeconds":"forever"}]}""");
        var response = await http.PostAsJsonAsync("/api/v2/buckets", body);

        await ShouldBeRejected(response, HttpStatusCode.BadRequest, "$.retentionRules[0].everySeconds: expected an integer, got a string");
    }

    [ContractFact(ContractFiles.InfluxDbFile)]
    public async Task A_write_without_the_required_org_parameter_is_refused()
    {
        var response = await http.PostAsync("/api/v2/write?bucket=metrics", new StringContent("m v=1"));

        await ShouldBeRejected(response, HttpStatusCode.BadRequest, "query parameter org: required but missing");
    }

    [ContractFact(ContractFiles.InfluxDbFile)]
    public async Task A_path_outside_the_spec_is_404_and_recorded()
    {
        var response = await http.GetAsync("/api/v2/nonsense");

        await ShouldBeRejected(response, HttpStatusCode.NotFound, "path is not in the API spec");
    }

    [Fact]
    public async Task Unknown_tokens_get_401_and_setup_needs_none()
    {
        using var anonymous = influx.CreateClient();
        (await anonymous.GetAsync("/api/v2/buckets")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", "not-a-token");
        var refused = await anonymous.GetAsync("/api/v2/buckets");
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("\"code\":\"unauthorized\"");
        (await anonymous.GetFromJsonAsync<JsonObject>("/api/v2/setup"))!["allowed"]!.GetValue<bool>().ShouldBeFalse();
        influx.Contract.AssertNoContractViolations();
    }

    private async Task ShouldBeRejected(HttpResponseMessage response, HttpStatusCode status, string problem)
    {
        response.StatusCode.ShouldBe(status);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        error["message"]!.GetValue<string>().ShouldContain(problem);
        influx.Contract.RequestViolations.ShouldHaveSingleItem().Problems.ShouldContain(p => p.Contains(problem, StringComparison.Ordinal));
        influx.Contract.AssertNoResponseViolations();
        Should.Throw<ContractViolationException>(influx.Contract.AssertNoContractViolations);
    }
}

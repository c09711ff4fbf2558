using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Grafana;
using MetricsOperator.TestSupport;
using MetricsOperator.Tests.Generation;

namespace MetricsOperator.Tests.Alerts;

/// <summary>
/// The Grafana rules an AppAlert maps to, as golden JSON (what the provisioning API receives). The short-form inputs
/// are frozen copies of the samples from before rules had several queries: their golden files were written by that
/// code, so the mapping keeps every existing rule's UID and body. After an intended change:
/// <c>UPDATE_GOLDEN=1 dotnet test tests/Operator.Tests --filter "FullyQualifiedName~RuleGoldenTests"</c>, and review the diff.
/// </summary>
public sealed class RuleGoldenTests
{
    private static readonly JsonSerializerOptions Indented = new(GrafanaJson.Options) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string> Inputs() =>
        [.. Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order()];

    /// <summary>The sample stack's alerting facts: both datasources and its contact points.</summary>
    private static StackAlertingFacts Stack { get; } =
        AlertSamples.BothDatasources with { ContactPoints = ["rubin-square-alerts", "slack-alerts"], DefaultContactPoint = "slack-alerts" };

    private static string Folder => RepoPaths.InRepo("tests", "Operator.Tests", "Alerts", "testdata");

    [Theory]
    [MemberData(nameof(Inputs))]
    public void The_rules_map_to_the_reviewed_grafana_json(string name)
    {
        var alert = Read(name);

        var plan = AppAlertMapping.Plan(alert, Stack);

        plan.Problems.ShouldBeEmpty();
        var rules = new JsonArray([.. plan.Group!.Rules.Select(rule => JsonSerializer.SerializeToNode(rule.Grafana, GrafanaJson.Options))]);
        ShouldMatch(JsonSerializer.Serialize(rules, Indented) + "\n", Path.Combine(Folder, name + ".golden.json"));
    }

    /// <summary>
    /// Each golden input, synced through the operator's Grafana client into the Grafana fake: every request is checked
    /// against Grafana 11.4's OpenAPI contract, and the stored group compares equal to what was sent (no drift).
    /// </summary>
    [ContractTheory("grafana/openapi3.json")]
    [MemberData(nameof(Inputs))]
    public async Task The_rules_are_accepted_by_grafana_as_mapped(string name)
    {
        await using var fake = await GrafanaFake.StartNewAsync();
        var token = fake.AddServiceAccountToken();
        using var client = new GrafanaClient(fake.BaseUri, GrafanaCredentials.Token(token));
        // What a Grafana admin made in the UI: the contact points and the mute timing the inputs name.
        foreach (var contactPoint in Stack.ContactPoints)
        {
            await client.CreateContactPointAsync(new EmbeddedContactPoint { Name = contactPoint, Type = "webhook", Settings = new JsonObject { ["url"] = "http://hooks.invalid/x" } }, editable: true);
        }

        using var http = fake.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        (await http.PostAsync("api/v1/provisioning/mute-timings", JsonContent.Create(new JsonObject { ["name"] = "weekends", ["time_intervals"] = new JsonArray(new JsonObject { ["weekdays"] = new JsonArray("saturday", "sunday") }) }))).EnsureSuccessStatusCode();
        var group = AppAlertMapping.Plan(Read(name), Stack).Group!;
        using var grafana = new StackGrafana(client);

        var result = await RuleGroupSync.ApplyAsync(grafana, group, previous: null, CancellationToken.None);

        result.Differences.ShouldBeEmpty();
        result.RulesInSync.Values.ShouldAllBe(inSync => inSync);
        fake.State.Rules.Count.ShouldBe(group.Rules.Count);
        fake.Contract.AssertNoContractViolations();
    }

    private static V1Alpha1AppAlert Read(string name)
    {
        var alert = JsonSerializer.Deserialize<V1Alpha1AppAlert>(YamlToJson.Parse(File.ReadAllText(Path.Combine(Folder, name + ".yaml")))!.ToJsonString())!;
        alert.Metadata.NamespaceProperty = "apps";
        return alert;
    }

    private static void ShouldMatch(string actual, string path)
    {
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") is "1" or "true")
        {
            File.WriteAllText(path, actual);
            return;
        }

        File.Exists(path).ShouldBeTrue($"{path} is missing: run with UPDATE_GOLDEN=1 and review it");
        actual.ShouldBe(File.ReadAllText(path), $"{Path.GetFileName(path)} differs (UPDATE_GOLDEN=1 regenerates; review the diff)");
    }
}

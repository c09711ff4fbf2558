using System.Text.Json;
using System.Text.Json.Nodes;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;
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
        var alert = JsonSerializer.Deserialize<V1Alpha1AppAlert>(YamlToJson.Parse(File.ReadAllText(Path.Combine(Folder, name + ".yaml")))!.ToJsonString())!;
        alert.Metadata.NamespaceProperty = "apps";

        var plan = AppAlertMapping.Plan(alert, Stack);

        plan.Problems.ShouldBeEmpty();
        var rules = new JsonArray([.. plan.Group!.Rules.Select(rule => JsonSerializer.SerializeToNode(rule.Grafana, GrafanaJson.Options))]);
        ShouldMatch(JsonSerializer.Serialize(rules, Indented) + "\n", Path.Combine(Folder, name + ".golden.json"));
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

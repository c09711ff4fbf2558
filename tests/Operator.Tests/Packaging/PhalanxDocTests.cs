using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.TestSupport;
using MetricsOperator.Validation;

namespace MetricsOperator.Tests.Packaging;

/// <summary>
/// docs/phalanx.md's walkthrough is real: every YAML block parses, and each is checked as what its first line says it
/// is (the file it belongs in): values files render their chart, MetricsStacks and AppAlerts pass the CRD schema and
/// the operator's checks, the `metrics` app's values are the committed ones, Applications use sync options Argo CD
/// knows, the Vault keys cover what the Secrets must hold.
/// </summary>
public sealed partial class PhalanxDocTests
{
    // Argo CD's sync options (docs/user-guide/sync-options.md of argoproj/argo-cd): a misspelt one is ignored silently.
    private static readonly HashSet<string> ArgoSyncOptions =
    [
        "CreateNamespace=true", "ServerSideApply=true", "Replace=true", "SkipDryRunOnMissingResource=true", "PruneLast=true",
        "ApplyOutOfSyncOnly=true", "RespectIgnoreDifferences=true", "Validate=false", "PrunePropagationPolicy=foreground",
        "PrunePropagationPolicy=background", "PrunePropagationPolicy=orphan", "FailOnSharedResource=true", "Prune=false",
        "Delete=false",
    ];

    private static readonly List<(string Path, string Yaml)> Blocks =
    [
        .. YamlBlock().Matches(File.ReadAllText(RepoPaths.InRepo("docs", "phalanx.md")))
            .Select(m => m.Groups[1].Value)
            .Select(yaml => (FirstLinePath().Match(yaml) is { Success: true } path ? path.Groups[1].Value : "", yaml)),
    ];

    public static TheoryData<int> AllBlocks() => [.. Enumerable.Range(0, Blocks.Count)];

    [Theory]
    [MemberData(nameof(AllBlocks))]
    public void Each_yaml_block_parses(int index) =>
        Should.NotThrow(() => HelmYaml.LoadAll(Blocks[index].Yaml), Blocks[index].Yaml);

    [Fact]
    public void The_walkthrough_has_every_step_as_a_block()
    {
        var paths = Blocks.Select(b => b.Path).ToList();

        paths.ShouldContain("applications/argocd/values.yaml");
        paths.ShouldContain("environments/values-idfdev.yaml");
        paths.ShouldContain("applications/metrics-operator/values.yaml");
        paths.ShouldContain("applications/metrics/values-idfdev.yaml");
        paths.ShouldContain("applications/metrics/secrets.yaml");
        paths.ShouldContain("applications/mobu/templates/appalert.yaml");
        paths.Count(p => p.StartsWith("environments/templates/applications/", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public void The_argocd_values_have_the_generated_health_check_keys()
    {
        var cm = Map(Map(Map(Load("applications/argocd/values.yaml"))["argo-cd"])["configs"])["cm"];
        var generated = Map(Map(Map(HelmYaml.Load(File.ReadAllText(Path.Combine(HelmChart.Folder, "argocd", "argocd-values.yaml"))))["argo-cd"])["configs"])["cm"];

        Map(cm).Keys.Order(StringComparer.Ordinal).ShouldBe(Map(generated).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_environment_enables_both_apps()
    {
        var applications = Map(Map(Load("environments/values-idfdev.yaml"))["applications"]);

        applications["metrics-operator"].ShouldBe(true);
        applications["metrics"].ShouldBe(true);
    }

    [Fact]
    public void The_operator_values_render_the_operator_chart_leaving_the_binding_to_the_stack_chart()
    {
        var values = Map(Map(Load("applications/metrics-operator/values.yaml"))["metrics-operator"]);

        var manifests = HelmChart.Render(valuesOverride: HelmYaml.ToYaml(values));
        manifests.ShouldContain(m => m.Kind == "Deployment");
        manifests.ShouldNotContain(m => m.Kind == "RoleBinding" && m.Name.EndsWith("-stack-namespace", StringComparison.Ordinal));
        HelmChart.Render("metrics", "metrics", chartFolder: HelmChart.StackFolder).ShouldContain(m => m.Kind == "RoleBinding", "the stack chart binds instead");
    }

    [Fact]
    public void The_metrics_app_values_are_the_committed_environment_file_and_render_a_valid_stack()
    {
        var yaml = Blocks.Single(b => b.Path == "applications/metrics/values-idfdev.yaml").Yaml;
        var body = yaml[(yaml.IndexOf('\n', StringComparison.Ordinal) + 1)..];

        body.ShouldBe(File.ReadAllText(Path.Combine(HelmChart.StackFolder, "values-idfdev.yaml")), "docs/phalanx.md shows charts/metrics-stack/values-idfdev.yaml as committed");
        var stack = HelmChart.Render("metrics", "metrics", yaml, chartFolder: HelmChart.StackFolder).Single(m => m.Kind == "MetricsStack").Json;
        ManifestCheck.Errors(stack).Select(SchemaValidator.Describe).ShouldBeEmpty();
    }

    [Fact]
    public void The_vault_item_holds_every_key_the_environments_secrets_must_have()
    {
        var declared = Map(Load("applications/metrics/secrets.yaml")).Keys.ToHashSet(StringComparer.Ordinal);
        var stack = HelmChart.Render("metrics", "metrics", File.ReadAllText(Path.Combine(HelmChart.StackFolder, "values-idfdev.yaml")), chartFolder: HelmChart.StackFolder)
            .Single(m => m.Kind == "MetricsStack").Json;

        var needed = stack["spec"]!["grafana"]!["contactPoints"]!.AsArray().Select(point => (string)point!["secretRef"]!["key"]!).ToList();
        if (stack["spec"]!["backup"]?["grafana"]?["destination"]?["s3"] is not null)
        {
            needed.AddRange([S3Settings.AccessKeyIdKey, S3Settings.SecretAccessKeyKey]);
        }

        needed.Count.ShouldBeGreaterThanOrEqualTo(3);
        needed.Where(key => !declared.Contains(key)).ShouldBeEmpty("applications/metrics/secrets.yaml lacks keys the Secrets must hold");
        foreach (var (key, value) in Map(Load("applications/metrics/secrets.yaml")))
        {
            (Map(value).TryGetValue("description", out var description) ? description as string : null).ShouldNotBeNullOrWhiteSpace(key);
        }
    }

    [Fact]
    public void The_app_alert_passes_its_crd_schema()
    {
        var alert = Json(Load("applications/mobu/templates/appalert.yaml"));

        ((string?)alert["kind"]).ShouldBe("AppAlert");
        ManifestCheck.OwnKind(alert).ShouldBe("AppAlert");
        ManifestCheck.Errors(alert).Select(SchemaValidator.Describe).ShouldBeEmpty();
    }

    [Fact]
    public void Applications_use_sync_options_argo_cd_knows_and_waves_in_dependency_order()
    {
        var applications = Blocks.Where(b => b.Path.StartsWith("environments/templates/applications/", StringComparison.Ordinal))
            .Select(b => Json(HelmYaml.Load(b.Yaml)))
            .ToList();

        foreach (var application in applications)
        {
            ((string?)application["kind"]).ShouldBe("Application");
            var options = application["spec"]!["syncPolicy"]!["syncOptions"]!.AsArray().Select(o => (string)o!).ToList();
            options.Where(o => !ArgoSyncOptions.Contains(o)).ShouldBeEmpty($"{application["metadata"]!["name"]}: options Argo CD does not know");
        }

        int Wave(string name) => int.Parse((string)applications.Single(a => (string?)a["metadata"]!["name"] == name)["metadata"]!["annotations"]!["argocd.argoproj.io/sync-wave"]!, System.Globalization.CultureInfo.InvariantCulture);
        Wave("metrics-operator").ShouldBeLessThan(Wave("metrics"), "the operator (and its CRDs) before the stack");
        var labels = applications.Single(a => (string?)a["metadata"]!["name"] == "mobu")["spec"]!["syncPolicy"]!["managedNamespaceMetadata"]!["labels"]!;
        ((string?)labels[WriteTokenSecrets.OptInLabel]).ShouldBe((string)Map(HelmYaml.Load(File.ReadAllText(Path.Combine(HelmChart.StackFolder, "values.yaml"))))["name"]!, "the label names the stack the chart makes");
    }

    /// <summary>The text of the block whose first line names <paramref name="path"/>.</summary>
    internal static string Block(string path) => Blocks.Single(b => b.Path == path).Yaml;

    private static object? Load(string path) => HelmYaml.Load(Block(path));

    private static IDictionary<string, object?> Map(object? value) => (IDictionary<string, object?>)value!;

    private static JsonObject Json(object? value) => (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(value)!;

    [GeneratedRegex("```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    // A block's first line names the file it belongs in: "# <path>" or "# <path> (excerpt)".
    [GeneratedRegex(@"\A# ([\w./\-]+\.yaml)(?: \(excerpt\))?\n")]
    private static partial Regex FirstLinePath();
}

using MetricsOperator.Cli;
using MetricsOperator.Generation;

namespace MetricsOperator.Tests.Packaging;

/// <summary>
/// Phalanx's chart conventions: a README generated from values.yaml's <c># --</c> comments (kept in step by
/// <see cref="ChartGeneratedFilesTests"/>), the <c>global</c> values Phalanx passes, Chart.yaml's metadata, and the
/// Argo CD health checks nested the way Phalanx's argocd app takes them.
/// </summary>
public sealed class ChartConventionsTests
{
    [Fact]
    public void The_committed_readme_is_what_values_yaml_generates()
    {
        var (_, readme) = GenerateCommand.RenderChart().Single(file => file.FileName == "README.md");

        File.ReadAllText(Path.Combine(HelmChart.Folder, "README.md"))
            .ShouldBe(readme, $"charts/metrics-operator/README.md drifted from values.yaml: regenerate with `{GenerateCommand.RegenerateChart}`.");
    }

    [Fact]
    public void Every_value_is_documented_itself_or_by_a_documented_parent()
    {
        var documented = ChartReadmeGenerator.Values(File.ReadAllText(Path.Combine(HelmChart.Folder, "values.yaml"))).Select(v => v.Key).ToHashSet();
        var values = (IDictionary<string, object?>)HelmYaml.Load(File.ReadAllText(Path.Combine(HelmChart.Folder, "values.yaml")))!;

        var undocumented = Leaves(values, "")
            .Where(key => !documented.Any(d => key == d || key.StartsWith(d + ".", StringComparison.Ordinal)))
            .ToList();

        undocumented.ShouldBeEmpty("give each a `# --` comment in values.yaml");
    }

    [Fact]
    public void Descriptions_run_over_comment_lines_and_belong_to_the_key_right_under_them()
    {
        var values = ChartReadmeGenerator.Values("""
            # Not a value's description.
            outer:
              # -- First line,
              # second line.
              inner: 3
              # -- Cut off by the blank line.

              undocumented: x
            # -- A list.
            list:
              - a
            # -- A map.
            map:
              key: "quoted"
            """.Replace("\r", "", StringComparison.Ordinal));

        values.ShouldBe(
        [
            new ChartReadmeGenerator.Value("outer.inner", "int", "3", "First line, second line."),
            new ChartReadmeGenerator.Value("list", "list", "[\"a\"]", "A list."),
            new ChartReadmeGenerator.Value("map", "object", "{\"key\":\"quoted\"}", "A map."),
        ]);
    }

    [Fact]
    public void Global_declares_what_Phalanx_passes_every_app()
    {
        var values = (IDictionary<string, object?>)HelmYaml.Load(File.ReadAllText(Path.Combine(HelmChart.Folder, "values.yaml")))!;
        var global = (IDictionary<string, object?>)values["global"]!;

        global.Keys.Order(StringComparer.Ordinal).ShouldBe(["baseUrl", "host", "vaultSecretsPath"]);
    }

    [Fact]
    public void Chart_yaml_has_app_version_home_and_sources()
    {
        var chart = (IDictionary<string, object?>)HelmYaml.Load(File.ReadAllText(Path.Combine(HelmChart.Folder, "Chart.yaml")))!;

        ((string?)chart["appVersion"]).ShouldNotBeNullOrEmpty();
        ((string?)chart["home"]).ShouldStartWith("https://");
        ((IEnumerable<object?>)chart["sources"]!).ShouldNotBeEmpty();
    }

    [Fact]
    public void The_nested_argocd_values_carry_the_same_checks_as_the_flat_argocd_cm()
    {
        var nested = (IDictionary<string, object?>)HelmYaml.Load(File.ReadAllText(Path.Combine(HelmChart.Folder, "argocd", "argocd-values.yaml")))!;
        var cm = (IDictionary<string, object?>)((IDictionary<string, object?>)((IDictionary<string, object?>)nested["argo-cd"]!)["configs"]!)["cm"]!;
        var flat = ArgoHealth.ConfigMapSnippet();

        cm.Keys.Order(StringComparer.Ordinal).ShouldBe(flat.Keys.Order(StringComparer.Ordinal));
        foreach (var kind in new[] { "MetricsStack", "AppAlert" })
        {
            ((string?)cm[ArgoCdValuesGenerator.HealthKey(kind)]).ShouldBe(File.ReadAllText(ArgoHealth.Script(kind)), kind);
        }
    }

    /// <summary>
    /// Client-side apply stores the object as JSON in the last-applied-configuration annotation, and annotations may
    /// total 262,144 bytes: docs/phalanx.md says the CRDs need no ServerSideApply while each stays under 200,000.
    /// </summary>
    [Fact]
    public void Each_crd_fits_the_last_applied_annotation_with_room_to_spare()
    {
        foreach (var (fileName, yaml) in HelmChart.Crds())
        {
            var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(HelmYaml.Load(yaml));

            json.Length.ShouldBeLessThan(200_000, $"{fileName}: set ServerSideApply=true and update docs/phalanx.md");
            json.Length.ShouldBeGreaterThan(5_000, $"{fileName}: not the whole CRD?");
        }
    }

    private static IEnumerable<string> Leaves(IDictionary<string, object?> map, string prefix)
    {
        foreach (var (key, value) in map)
        {
            var path = prefix + key;
            if (value is IDictionary<string, object?> { Count: > 0 } child)
            {
                foreach (var leaf in Leaves(child, path + "."))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return path;
            }
        }
    }
}

using System.Text.Json.Nodes;
using MetricsOperator.Cli;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Packaging;

/// <summary>
/// The charts' generated files (the operator chart's crds/ and templates/_rbac_rules.tpl; the stack chart's
/// metricsStack values, Secret names template and README) and docs/api-reference.md are what the code generates now; the chart's CRDs are the same documents as config/crd.
/// </summary>
public sealed class ChartGeneratedFilesTests
{
    [Fact]
    public void Committed_chart_files_are_what_the_code_generates()
    {
        var drift = GenerateCommand.RenderChart()
            .Where(file => !File.Exists(Path.Combine(HelmChart.Folder, file.FileName)) || File.ReadAllText(Path.Combine(HelmChart.Folder, file.FileName)) != file.Yaml)
            .Select(file => $"charts/metrics-operator/{file.FileName}")
            .ToList();
        drift.ShouldBeEmpty($"Regenerate with `{GenerateCommand.RegenerateChart}` and commit the result.");

        var generatedCrds = GenerateCommand.RenderChart().Where(f => f.FileName.StartsWith("crds/", StringComparison.Ordinal)).Select(f => f.FileName[5..]).Order(StringComparer.Ordinal);
        HelmChart.Crds().Select(crd => crd.FileName).ShouldBe(generatedCrds, "crds/ holds a file the code does not generate");
    }

    [Fact]
    public void Committed_stack_chart_files_are_what_the_code_generates()
    {
        var drift = GenerateCommand.RenderStackChart()
            .Where(file => !File.Exists(Path.Combine(HelmChart.StackFolder, file.FileName)) || File.ReadAllText(Path.Combine(HelmChart.StackFolder, file.FileName)) != file.Yaml)
            .Select(file => $"charts/metrics-stack/{file.FileName}")
            .ToList();
        drift.ShouldBeEmpty($"Regenerate with `{GenerateCommand.RegenerateStackChart}` and commit the result.");
    }

    [Fact]
    public void Chart_crds_are_the_documents_of_config_crd()
    {
        var configCrds = Directory.GetFiles(RepoPaths.InRepo("config", "crd"), "*.yaml").Order(StringComparer.Ordinal).ToList();
        HelmChart.Crds().Select(crd => crd.FileName).ShouldBe(configCrds.Select(Path.GetFileName));
        foreach (var (fileName, yaml) in HelmChart.Crds())
        {
            var chart = Json(yaml);
            var config = Json(File.ReadAllText(RepoPaths.InRepo("config", "crd", fileName)));
            JsonNode.DeepEquals(chart, config).ShouldBeTrue($"charts/metrics-operator/crds/{fileName} differs from config/crd/{fileName}");
        }
    }

    [Fact]
    public void Committed_api_reference_is_what_the_crds_generate()
    {
        var (fileName, markdown) = GenerateCommand.RenderApiDocs().Single();
        File.ReadAllText(RepoPaths.InRepo("docs", fileName)).ShouldBe(markdown, $"docs/{fileName} drifted: regenerate with `{GenerateCommand.RegenerateApiDocs}`.");
    }

    [Fact]
    public void Api_reference_lists_every_schema_field_with_its_description()
    {
        var markdown = GenerateCommand.RenderApiDocs().Single().Yaml;
        foreach (var kind in new[] { "MetricsStack", "AppAlert" })
        {
            foreach (var (path, schema) in MetricsOperator.Tests.Generation.Generated.Walk(MetricsOperator.Tests.Generation.Generated.Schema(kind)))
            {
                // A list's or map's element is described on the list's own row; its fields have rows of their own.
                var element = path.EndsWith("[]", StringComparison.Ordinal) || path.EndsWith("{}", StringComparison.Ordinal);
                if (!element && (path.StartsWith("spec", StringComparison.Ordinal) || path.StartsWith("status", StringComparison.Ordinal)))
                {
                    markdown.ShouldContain($"| `{path}` |", customMessage: $"{kind} {path} is missing");
                }
            }
        }

        markdown.ShouldContain("`kubectl get metricsstacks` columns");
    }

    private static JsonNode? Json(string yaml) => System.Text.Json.JsonSerializer.SerializeToNode(HelmYaml.Load(yaml));
}

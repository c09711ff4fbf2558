using System.Text.RegularExpressions;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Integration;

/// <summary>The README's examples are real: every YAML block in it is accepted by the API server.</summary>
[Collection(SharedApiServer.Name)]
public sealed partial class ReadmeTests(ApiServerFixture fixture)
{
    public static TheoryData<int> YamlBlocks() => [.. Enumerable.Range(0, Blocks().Count)];

    [Fact]
    public void The_readme_has_resource_examples() =>
        Blocks().ShouldNotBeEmpty("README.md should show a MetricsStack and an AppAlert");

    [Theory]
    [MemberData(nameof(YamlBlocks))]
    public async Task Each_yaml_block_is_accepted_by_the_api_server(int index)
    {
        var block = Blocks()[index];
        var ns = await fixture.Plane.CreateNamespaceAsync("readme");

        var result = await fixture.Plane.KubectlAsync(["create", "--dry-run=server", "-n", ns, "-f", "-"], stdin: block);

        result.ExitCode.ShouldBe(0, $"README yaml block {index}:\n{block}\n{result.StandardError}");
    }

    private static List<string> Blocks() =>
        [.. YamlBlock().Matches(File.ReadAllText(RepoPaths.InRepo("README.md")))
            .Select(m => m.Groups[1].Value)
            .Where(text => text.Contains("apiVersion: metrics.lsst.io/", StringComparison.Ordinal))
            .Select(text => NamespaceLine().Replace(text, ""))];

    [GeneratedRegex("```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    // The README shows where things live; the test puts them in a namespace of its own.
    [GeneratedRegex(@"^  namespace: .*\n", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}

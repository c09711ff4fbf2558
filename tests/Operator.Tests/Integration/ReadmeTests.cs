using System.Text.RegularExpressions;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
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

    [Fact]
    public void Every_operator_command_in_the_readme_parses()
    {
        var commands = OperatorCommand().Matches(Readme()).Select(m => m.Groups[1].Value).ToList();

        commands.Count.ShouldBeGreaterThanOrEqualTo(1, "the disaster-recovery walkthrough has its commands");
        foreach (var command in commands)
        {
            MetricsOperator.Cli.CommandLine.Parse(command.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Errors.Select(e => e.Message)
                .ShouldBeEmpty($"README: metrics-operator {command}");
        }
    }

    [Fact]
    public async Task The_restore_pod_is_accepted_and_reaches_the_samples_InfluxDB_with_its_backups()
    {
        var yaml = PodBlock().Match(Readme()).Groups[1].Value;
        yaml.ShouldNotBeEmpty("the README shows the restore Pod");
        var pod = k8s.KubernetesYaml.Deserialize<k8s.Models.V1Pod>(UnindentBlock().Replace(yaml, ""));
        var sample = SchemaDefaults.Applied(MetricsOperator.Tests.Stacks.Stacks.FullSample());
        sample.Metadata.NamespaceProperty = "metrics";
        var container = pod.Spec.Containers.ShouldHaveSingleItem();

        var parsed = MetricsOperator.Cli.CommandLine.Parse(container.Args.ToList());
        parsed.Errors.ShouldBeEmpty();
        parsed.GetValue<string>("--influxdb-url").ShouldBe(StackNames.InfluxDbUrl(sample));
        container.Env.ShouldHaveSingleItem().ValueFrom.SecretKeyRef.Name.ShouldBe(StackNames.InfluxDbAdminSecret(sample));
        pod.Spec.Volumes.Single(v => v.PersistentVolumeClaim != null).PersistentVolumeClaim.ClaimName.ShouldBe(sample.Spec.Backup!.InfluxDb!.Destination.Pvc!.ClaimName);
        var peers = NetworkPolicyBuilder.InfluxDb(DefaultedStack.Of(sample), StackBuildOptions.Default).Spec.Ingress.ShouldHaveSingleItem().FromProperty;
        peers.ShouldContain(p => p.NamespaceSelector == null && p.PodSelector.MatchLabels.All(l => pod.Metadata.Labels.Contains(l)), "InfluxDB's NetworkPolicy admits the restore pod");

        var ns = await fixture.Plane.CreateNamespaceAsync("readme");
        // The service account controller's part (no controller manager here): admission wants the pod's ServiceAccount.
        (await fixture.Plane.KubectlAsync(["create", "serviceaccount", "default", "-n", ns])).EnsureSuccess();
        var result = await fixture.Plane.KubectlAsync(["create", "--dry-run=server", "-n", ns, "-f", "-"], stdin: k8s.KubernetesYaml.Serialize(pod));
        result.ExitCode.ShouldBe(0, result.StandardError);
    }

    private static string Readme() => File.ReadAllText(RepoPaths.InRepo("README.md"));

    [GeneratedRegex(@"^\s*metrics-operator (.+)$", RegexOptions.Multiline)]
    private static partial Regex OperatorCommand();

    [GeneratedRegex("```yaml\\n(\\s*apiVersion: v1\\n\\s*kind: Pod\\n.*?)```", RegexOptions.Singleline)]
    private static partial Regex PodBlock();

    // The block is indented under a list item.
    [GeneratedRegex("^   ", RegexOptions.Multiline)]
    private static partial Regex UnindentBlock();

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

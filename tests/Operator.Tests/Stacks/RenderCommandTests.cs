using System.CommandLine;
using MetricsOperator.Cli;

namespace MetricsOperator.Tests.Stacks;

public class RenderCommandTests
{
    [Theory]
    [MemberData(nameof(GoldenFiles.Inputs), MemberType = typeof(GoldenFiles))]
    public async Task Render_prints_the_golden_stream_for_a_file(string name, string input)
    {
        var (exitCode, output, error) = await RunAsync("render", "-f", input, "-n", Stacks.Namespace);

        exitCode.ShouldBe(0, error);
        error.ShouldBeEmpty();
        if (!GoldenFiles.Updating)
        {
            output.ShouldBe(File.ReadAllText(GoldenFiles.PathOf(name)));
        }
    }

    [Fact]
    public async Task Render_skips_other_kinds_with_a_note_and_fails_without_any_MetricsStack()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");

            var (exitCode, output, error) = await RunAsync("render", "-f", file);

            exitCode.ShouldBe(1);
            output.ShouldBeEmpty();
            error.ShouldContain("v1/ConfigMap");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_operator_namespace_flag_reaches_the_InfluxDB_policy()
    {
        var input = (string)GoldenFiles.Inputs().First()[1];

        var (_, output, _) = await RunAsync("render", "-f", input, "--operator-namespace", "ops-ns");

        output.ShouldContain("kubernetes.io/metadata.name: ops-ns");
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { Subcommands = { RenderCommand.Create() } };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}

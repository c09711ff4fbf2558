using System.CommandLine;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Cli;

/// <summary>
/// <c>render -f stack.yaml</c>: prints every object the operator would apply for the MetricsStacks in the file,
/// as a YAML stream, with no cluster, so reviewers can diff what a change to a MetricsStack does.
/// </summary>
public static class RenderCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "YAML file with one or more MetricsStacks (other kinds are skipped); - reads standard input.",
            Required = true,
        };
        var ns = new Option<string>("--namespace", "-n")
        {
            Description = "Namespace of MetricsStacks that name none, as kubectl apply -n would.",
            DefaultValueFactory = _ => "default",
        };
        var operatorNamespace = new Option<string>("--operator-namespace")
        {
            Description = "Namespace the operator runs in; its pods may reach InfluxDB.",
            DefaultValueFactory = _ => StackBuildOptions.Default.OperatorNamespace,
        };

        var command = new Command("render", "Print every object the operator would apply for the MetricsStacks in a file (YAML stream), without a cluster.")
        {
            file, ns, operatorNamespace,
        };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var path = result.GetRequiredValue(file);
            using var reader = path == "-" ? Console.In : new StreamReader(path);
            var (stacks, skipped) = StackManifests.Read(reader);
            foreach (var kind in skipped)
            {
                error.WriteLine($"Skipped a document of kind {kind}: only MetricsStacks are rendered.");
            }

            var options = StackBuildOptions.Default with { OperatorNamespace = result.GetRequiredValue(operatorNamespace) };
            foreach (var stack in stacks)
            {
                stack.Metadata.NamespaceProperty ??= result.GetRequiredValue(ns);
                output.Write(StackManifests.Write(StackBuilder.Build(stack, options)));
            }

            return stacks.Count > 0 ? 0 : 1;
        });
        return command;
    }
}

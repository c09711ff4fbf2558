using System.CommandLine;

namespace MetricsOperator.Cli;

/// <summary>The command tree: run, render, generate.</summary>
public static class CommandLine
{
    /// <summary>Parses <paramref name="args"/> and invokes the chosen command.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("metrics-operator: gives every Phalanx environment its own application-metrics stack.")
        {
            Subcommands = { RunCommand.Create(), RenderCommand.Create(), GenerateCommand.Create(), RestoreCommand.Create() },
        };
        return root.Parse(args).InvokeAsync();
    }
}

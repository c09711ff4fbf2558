using System.CommandLine;

namespace MetricsOperator.Cli;

/// <summary>The command tree: run, render, generate, backup, restore.</summary>
public static class CommandLine
{
    /// <summary>Parses <paramref name="args"/> and invokes the chosen command.</summary>
    public static Task<int> RunAsync(string[] args) => Parse(args).InvokeAsync();

    /// <summary>Parses <paramref name="args"/> without running anything (the operator checks the arguments it gives its own Jobs).</summary>
    public static ParseResult Parse(IReadOnlyList<string> args)
    {
        var root = new RootCommand("metrics-operator: gives every Phalanx environment its own application-metrics stack.")
        {
            Subcommands = { RunCommand.Create(), RenderCommand.Create(), GenerateCommand.Create(), BackupCommand.Create(), RestoreCommand.Create() },
        };
        return root.Parse(args);
    }
}

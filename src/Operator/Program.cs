namespace MetricsOperator;

/// <summary>The operator's entry point: parses the command line and hands over to a command.</summary>
public static class Program
{
    /// <summary>Runs the command named on the command line.</summary>
    public static Task<int> Main(string[] args) => Cli.CommandLine.RunAsync(args);
}

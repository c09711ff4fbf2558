using MetricsOperator.LocalCluster;

namespace MetricsOperator.TestSupport;

/// <summary>Where the repository's files are, seen from a test (the contracts: <c>ContractFiles</c> in tests/Fakes).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootFolder = new(FindRoot);

    /// <summary>The repository root (the folder holding Operator.sln).</summary>
    public static string Root => RootFolder.Value;

    /// <summary>A path under the repository root.</summary>
    public static string InRepo(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Operator.sln not found above {AppContext.BaseDirectory}");
    }
}

using MetricsOperator.LocalCluster;

namespace MetricsOperator.TestSupport;

/// <summary>Where the repository's files and <c>../shared</c> are, seen from a test.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootFolder = new(FindRoot);

    /// <summary>The repository root (the folder holding Operator.sln).</summary>
    public static string Root => RootFolder.Value;

    /// <summary>A path under the repository root.</summary>
    public static string InRepo(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The shared folder beside the repository, or null in a user's clone that lacks it.</summary>
    public static string? Shared
    {
        get
        {
            var shared = Path.GetFullPath(Path.Combine(Root, "..", "shared"));
            return Directory.Exists(shared) ? shared : null;
        }
    }

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

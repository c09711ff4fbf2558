namespace MetricsOperator.Fakes.Contracts;

/// <summary>
/// Finds the API specs in <c>../shared/contracts</c> beside the repository.
/// The fakes do not reference TestSupport so that they stay usable from benchmarks and tools;
/// the lookup is the same: walk up from the test binary to the folder holding Operator.sln.
/// </summary>
public static class ContractFiles
{
    /// <summary>InfluxDB OSS v2 OpenAPI document.</summary>
    public static string InfluxDb => Locate("influxdb", "oss.yml");

    /// <summary>Grafana 11.4 OpenAPI 3 document (base path <c>/api</c>).</summary>
    public static string Grafana => Locate("grafana", "openapi3.json");

    /// <summary>The <c>../shared</c> folder, or null when this checkout has none (a user's clone).</summary>
    public static string? SharedFolder
    {
        get
        {
            var root = RepositoryRoot();
            if (root is null)
            {
                return null;
            }

            var shared = Path.GetFullPath(Path.Combine(root, "..", "shared"));
            return Directory.Exists(shared) ? shared : null;
        }
    }

    private static string Locate(string system, string file)
    {
        var shared = SharedFolder ?? throw new FileNotFoundException(
            $"../shared is absent next to the repository: the {system} contract ({file}) cannot be loaded");
        var path = Path.Combine(shared, "contracts", system, file);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"contract file missing: {path}", path);
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

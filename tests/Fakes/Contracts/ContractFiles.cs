namespace MetricsOperator.Fakes.Contracts;

/// <summary>
/// Finds the API specs: in the folder <c>$METRICS_OPERATOR_CONTRACTS</c> names (what hack/fetch-contracts.sh fills on a
/// machine without <c>../shared</c>), else in <c>../shared/contracts</c> beside the repository. The fakes do not
/// reference TestSupport so that they stay usable from benchmarks and tools; the lookup is the same: walk up from the
/// test binary to the folder holding Operator.sln.
/// </summary>
/// <remarks>
/// The rule from ../shared/README.md: a test that needs a spec is skipped, naming it, only when there is no contracts
/// folder at all (a user's clone); when there is one and the file is missing, the test fails.
/// </remarks>
public static class ContractFiles
{
    /// <summary>The environment variable naming a contracts folder laid out as ../shared/contracts.</summary>
    public const string Variable = "METRICS_OPERATOR_CONTRACTS";

    /// <summary>InfluxDB OSS v2 OpenAPI document, relative to the contracts folder.</summary>
    public const string InfluxDbFile = "influxdb/oss.yml";

    /// <summary>Grafana 11.4 OpenAPI 3 document (base path <c>/api</c>), relative to the contracts folder.</summary>
    public const string GrafanaFile = "grafana/openapi3.json";

    /// <summary>InfluxDB OSS v2 OpenAPI document.</summary>
    public static string InfluxDb => Locate(InfluxDbFile);

    /// <summary>Grafana 11.4 OpenAPI 3 document (base path <c>/api</c>).</summary>
    public static string Grafana => Locate(GrafanaFile);

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

    /// <summary>
    /// The contracts folder: <c>$METRICS_OPERATOR_CONTRACTS</c> when set (even if it does not exist: then every file in it
    /// is missing, and tests fail rather than skip), else <c>../shared/contracts</c> when <c>../shared</c> exists, else null.
    /// </summary>
    public static string? Folder =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } chosen ? Path.GetFullPath(chosen)
        : SharedFolder is { } shared ? Path.Combine(shared, "contracts")
        : null;

    /// <summary>Whether there is a contracts folder to read (else the fakes run without contract checks).</summary>
    public static bool Available => Folder is not null;

    /// <summary>Why a test that needs <paramref name="file"/> (relative to the contracts folder) cannot run here.</summary>
    public static string AbsentReason(string file) =>
        $"needs contracts/{file}: ../shared is absent beside this checkout and {Variable} is unset (bash hack/fetch-contracts.sh fetches the pinned files)";

    /// <summary>The path of <paramref name="file"/> in the contracts folder; throws when there is no folder or no such file.</summary>
    public static string Locate(string file)
    {
        var folder = Folder ?? throw new FileNotFoundException(AbsentReason(file));
        var path = Path.Combine(folder, file);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"contract file missing: {path}", path);
    }

    /// <summary>
    /// The spec at <paramref name="file"/>, or null when there is no contracts folder at all: a fake then keeps state and
    /// serves requests but checks none against a spec (docs/fakes.md). A folder without the file still throws.
    /// </summary>
    public static ContractDocument? LoadIfAvailable(string file) => Available ? ContractDocument.Load(Locate(file)) : null;

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

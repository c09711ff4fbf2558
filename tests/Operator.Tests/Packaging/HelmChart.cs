using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Packaging;

/// <summary>One manifest of a rendered chart: the template it came from, its text, and its JSON.</summary>
public sealed record RenderedManifest(string Template, string Yaml, JsonObject Json)
{
    public string Kind => (string)Json["kind"]!;

    public string ApiVersion => (string)Json["apiVersion"]!;

    public string Name => (string)Json["metadata"]!["name"]!;

    public string? Namespace => (string?)Json["metadata"]?["namespace"];

    public override string ToString() => $"{Kind} {Namespace}/{Name} ({Template})";
}

/// <summary>
/// `helm template` for charts/metrics-operator (or another chart of the repository: <c>chartFolder</c>) without helm: parses every file in templates/ with
/// <see cref="GoTemplate"/>, renders the ones not starting with "_" with Helm's top-level objects (Values merged
/// over values.yaml, Release, Chart, Capabilities), splits the output into YAML documents and parses each.
/// The CRDs in crds/ are not templates (Helm installs them as they are) and come from <see cref="Crds"/>.
/// </summary>
public static partial class HelmChart
{
    public static string Folder => RepoPaths.InRepo("charts", "metrics-operator");

    /// <summary>charts/metrics-stack: Phalanx's `metrics` app.</summary>
    public static string StackFolder => RepoPaths.InRepo("charts", "metrics-stack");

    /// <summary>The API versions of a 1.20 cluster that matter to the chart (policy/v1 arrived in 1.21).</summary>
    public static readonly IReadOnlySet<string> Kubernetes120 = new HashSet<string>
    {
        "v1", "apps/v1", "rbac.authorization.k8s.io/v1", "policy/v1beta1", "policy/v1beta1/PodDisruptionBudget",
    };

    /// <summary>The API versions of a 1.21+ cluster that matter to the chart.</summary>
    public static readonly IReadOnlySet<string> Kubernetes125 = new HashSet<string>
    {
        "v1", "apps/v1", "rbac.authorization.k8s.io/v1", "policy/v1", "policy/v1/PodDisruptionBudget",
    };

    public static IReadOnlyList<RenderedManifest> Render(
        string releaseName = "metrics-operator",
        string releaseNamespace = "metrics-operator",
        string? valuesOverride = null,
        IReadOnlySet<string>? apiVersions = null,
        string? chartFolder = null)
    {
        var folder = chartFolder ?? Folder;
        var template = new GoTemplate();
        var templatesFolder = Path.Combine(folder, "templates");
        var names = Directory.GetFiles(templatesFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            template.Parse(name!, File.ReadAllText(Path.Combine(templatesFolder, name!)));
        }

        var chart = (IDictionary<string, object?>)HelmYaml.Load(File.ReadAllText(Path.Combine(folder, "Chart.yaml")))!;
        var values = (IDictionary<string, object?>)HelmYaml.Load(File.ReadAllText(Path.Combine(folder, "values.yaml")))!;
        if (valuesOverride is not null)
        {
            values = HelmYaml.Merge(values, (IDictionary<string, object?>)HelmYaml.Load(valuesOverride)!);
        }

        var versions = apiVersions ?? Kubernetes125;
        var root = new GoStruct("chartutil.Values", new Dictionary<string, object?>
        {
            ["Values"] = values,
            ["Release"] = new GoStruct("chartutil.Release", new Dictionary<string, object?>
            {
                ["Name"] = releaseName,
                ["Namespace"] = releaseNamespace,
                ["Service"] = "Helm",
                ["IsInstall"] = true,
                ["IsUpgrade"] = false,
            }),
            ["Chart"] = new GoStruct("chart.Metadata", new Dictionary<string, object?>
            {
                ["Name"] = chart["name"],
                ["Version"] = chart["version"],
                ["AppVersion"] = chart["appVersion"],
            }),
            ["Capabilities"] = new GoStruct("chartutil.Capabilities", new Dictionary<string, object?>
            {
                ["APIVersions"] = new GoStruct("chartutil.VersionSet", new Dictionary<string, object?>
                {
                    ["Has"] = new GoMethod("Has", args => args is [string version] ? versions.Contains(version) : throw new GoTemplateException("Has takes one string")),
                }),
            }),
        });

        var manifests = new List<RenderedManifest>();
        foreach (var name in names.Where(n => !n!.StartsWith('_')))
        {
            var output = template.Execute(name!, root);
            foreach (var document in DocumentSeparator().Split(output))
            {
                if (document.Split('\n').All(line => line.Trim().Length == 0 || line.TrimStart().StartsWith('#')))
                {
                    continue;
                }

                var parsed = HelmYaml.Load(document);
                var json = System.Text.Json.JsonSerializer.SerializeToNode(parsed) as JsonObject
                    ?? throw new InvalidOperationException($"{name} rendered a document that is not a map:\n{document}");
                manifests.Add(new RenderedManifest(name!, document, json));
            }
        }

        return manifests;
    }

    /// <summary>The chart's CRDs (crds/), as Helm installs them: not templated.</summary>
    public static IReadOnlyList<(string FileName, string Yaml)> Crds() =>
        [.. Directory.GetFiles(Path.Combine(Folder, "crds"), "*.yaml").Order(StringComparer.Ordinal).Select(path => (Path.GetFileName(path), File.ReadAllText(path)))];

    [GeneratedRegex(@"(?m)^---[ \t]*$")]
    private static partial Regex DocumentSeparator();
}

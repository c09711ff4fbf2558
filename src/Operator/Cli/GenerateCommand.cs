using System.CommandLine;
using System.Runtime.CompilerServices;
using MetricsOperator.Crds;
using MetricsOperator.Generation;

namespace MetricsOperator.Cli;

/// <summary>
/// <c>generate crds</c>, <c>generate rbac</c>, <c>generate chart</c>, <c>generate stack-chart</c> and
/// <c>generate api-docs</c>: write config/crd, config/rbac, the two charts' generated files and docs/api-reference.md
/// from the code. The generators
/// are pure; this class only reads the XML documentation and writes the files.
/// </summary>
internal static class GenerateCommand
{
    /// <summary>The command that regenerates config/crd, as written in the files' header and in test failures.</summary>
    public const string RegenerateCrds = "dotnet run --project src/Operator -- generate crds";

    /// <summary>The command that regenerates config/rbac.</summary>
    public const string RegenerateRbac = "dotnet run --project src/Operator -- generate rbac";

    /// <summary>The command that regenerates the Helm chart's generated files (CRDs, RBAC rules, README, Argo CD values).</summary>
    public const string RegenerateChart = "dotnet run --project src/Operator -- generate chart";

    /// <summary>The command that regenerates the stack chart's generated files (values.yaml's metricsStack block, the Secret names template, README).</summary>
    public const string RegenerateStackChart = "dotnet run --project src/Operator -- generate stack-chart";

    /// <summary>The command that regenerates docs/api-reference.md.</summary>
    public const string RegenerateApiDocs = "dotnet run --project src/Operator -- generate api-docs";

    // The kinds with an Argo CD health check (charts/metrics-operator/argocd/health-<kind>.lua).
    private static readonly string[] HealthCheckedKinds = ["MetricsStack", "AppAlert"];

    /// <summary>The <c>generate</c> command with its subcommands.</summary>
    public static Command Create()
    {
        var generate = new Command("generate", "Writes manifests generated from the code: CRDs from the API types, RBAC from the permissions the reconcilers declare.");
        generate.Subcommands.Add(Subcommand("crds", "Writes the CustomResourceDefinitions of MetricsStack and AppAlert.", "config/crd"));
        generate.Subcommands.Add(Subcommand("rbac", "Writes the ClusterRole, bindings, ServiceAccount, leader-election Role and editor/viewer roles.", "config/rbac"));
        generate.Subcommands.Add(Subcommand("chart", "Writes the Helm chart's generated files: crds/, the RBAC rules template, README.md from values.yaml's # -- comments, argocd/argocd-values.yaml.", "charts/metrics-operator"));
        generate.Subcommands.Add(Subcommand("stack-chart", "Writes the stack chart's generated files: values.yaml's metricsStack block from the CRD, templates/_secret_names.tpl, README.md.", "charts/metrics-stack"));
        generate.Subcommands.Add(Subcommand("api-docs", "Writes the API reference (Markdown) from the CRD schemas.", "docs"));
        return generate;
    }

    /// <summary>config/crd's files: name relative to the folder, and YAML text.</summary>
    public static IReadOnlyList<(string FileName, string Yaml)> RenderCrds()
    {
        var apiAssembly = typeof(V1Alpha1MetricsStack).Assembly;
        var manifests = CrdGenerator.Generate(CrdGenerator.KindsIn(apiAssembly), XmlDocumentation.LoadBeside(apiAssembly));
        return [.. manifests.Select(manifest => (manifest.FileName, ManifestYaml.Serialize(manifest.Document, RegenerateCrds)))];
    }

    /// <summary>config/rbac's files: name relative to the folder, and YAML text.</summary>
    public static IReadOnlyList<(string FileName, string Yaml)> RenderRbac()
    {
        var manifests = RbacGenerator.Generate(
            RbacGenerator.DeclarationsIn(typeof(GenerateCommand).Assembly),
            CrdGenerator.KindsIn(typeof(V1Alpha1MetricsStack).Assembly));
        return [.. manifests.Select(manifest => (manifest.FileName, ManifestYaml.Serialize(manifest.Document, RegenerateRbac)))];
    }

    /// <summary>charts/metrics-operator's generated files: name relative to the chart folder, and text.</summary>
    public static IReadOnlyList<(string FileName, string Yaml)> RenderChart()
    {
        var apiAssembly = typeof(V1Alpha1MetricsStack).Assembly;
        var kinds = CrdGenerator.KindsIn(apiAssembly);
        var folder = Path.Combine(RepositoryRoot(), "charts", "metrics-operator");
        return
        [
            .. ChartGenerator.Generate(
                CrdGenerator.Generate(kinds, XmlDocumentation.LoadBeside(apiAssembly)),
                RbacGenerator.Generate(RbacGenerator.DeclarationsIn(typeof(GenerateCommand).Assembly), kinds),
                RegenerateChart),
            ("README.md", ChartReadmeGenerator.Generate(
                File.ReadAllText(Path.Combine(folder, "Chart.yaml")), File.ReadAllText(Path.Combine(folder, "values.yaml")), RegenerateChart)),
            ("argocd/argocd-values.yaml", ArgoCdValuesGenerator.Generate(
                [.. HealthCheckedKinds.Select(kind => (kind, File.ReadAllText(Path.Combine(folder, "argocd", $"health-{kind.ToLowerInvariant()}.lua"))))],
                RegenerateChart)),
        ];
    }

    /// <summary>
    /// charts/metrics-stack's generated files: values.yaml (its hand-written head kept, the metricsStack block from
    /// the CRD), templates/_secret_names.tpl (from the API types), and README.md from the new values.yaml.
    /// </summary>
    public static IReadOnlyList<(string FileName, string Yaml)> RenderStackChart()
    {
        var apiAssembly = typeof(V1Alpha1MetricsStack).Assembly;
        var stackCrd = CrdGenerator.Generate(CrdGenerator.KindsIn(apiAssembly), XmlDocumentation.LoadBeside(apiAssembly))
            .Select(manifest => (k8s.Models.V1CustomResourceDefinition)manifest.Document)
            .Single(crd => crd.Spec.Names.Kind == "MetricsStack");
        var specSchema = stackCrd.Spec.Versions.Single().Schema.OpenAPIV3Schema.Properties["spec"];
        var folder = Path.Combine(RepositoryRoot(), "charts", "metrics-stack");
        var values = StackChartGenerator.Values(specSchema, File.ReadAllText(Path.Combine(folder, "values.yaml")), RegenerateStackChart);
        return
        [
            ("values.yaml", values),
            ("templates/_secret_names.tpl", StackChartGenerator.SecretNames(SecretReferencePaths.In(typeof(MetricsStackSpec)), RegenerateStackChart)),
            ("README.md", ChartReadmeGenerator.Generate(File.ReadAllText(Path.Combine(folder, "Chart.yaml")), values, RegenerateStackChart)),
        ];
    }

    /// <summary>docs/api-reference.md: name relative to docs/, and Markdown text.</summary>
    public static IReadOnlyList<(string FileName, string Yaml)> RenderApiDocs()
    {
        var apiAssembly = typeof(V1Alpha1MetricsStack).Assembly;
        var crds = CrdGenerator.Generate(CrdGenerator.KindsIn(apiAssembly), XmlDocumentation.LoadBeside(apiAssembly))
            .Select(manifest => (k8s.Models.V1CustomResourceDefinition)manifest.Document);
        return [("api-reference.md", ApiReferenceGenerator.Generate(crds, RegenerateApiDocs))];
    }

    // `dotnet run` starts a web project in its own folder, so a default relative to the current directory would
    // land in src/Operator: defaults are relative to the repository (the folder with Operator.sln) instead.
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Operator.sln")))
            {
                return folder.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    // Called only past the dynamic-code check in the subcommands' action: the Native AOT compiler drops that branch, and
    // with it the generators, YamlDotNet's serialiser and KubernetesClient's JSON (which the generators serialise
    // models with), none of which can run there. A delegate to a generator made anywhere else would keep them all.
    private static IReadOnlyList<(string FileName, string Yaml)> Render(string subcommand) => subcommand switch
    {
        "crds" => RenderCrds(),
        "rbac" => RenderRbac(),
        "chart" => RenderChart(),
        "stack-chart" => RenderStackChart(),
        "api-docs" => RenderApiDocs(),
        _ => throw new ArgumentOutOfRangeException(nameof(subcommand), subcommand, "no such generate subcommand"),
    };

    private static Command Subcommand(string name, string description, string defaultOutput)
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = $"Folder to write to (default: {defaultOutput} in the repository that holds the current directory).",
            DefaultValueFactory = _ => Path.Combine(RepositoryRoot(), defaultOutput),
        };
        var command = new Command(name, description) { Options = { output } };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!RuntimeFeature.IsDynamicCodeSupported)
            {
                // The generators' YAML serialiser builds code at run time (see .editorconfig's Generation section).
                await parse.InvocationConfiguration.Error.WriteLineAsync("generate runs from the repository with the .NET SDK (dotnet run --project src/Operator -- generate ...), not from a Native AOT binary.");
                return 2;
            }

            var folder = parse.GetValue(output)!;
            foreach (var (fileName, yaml) in Render(name))
            {
                var path = Path.Combine(folder, fileName);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, yaml, cancellationToken);
                await parse.InvocationConfiguration.Output.WriteLineAsync($"Wrote {path}");
            }

            return 0;
        });
        return command;
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;
using k8s;
using MetricsOperator.LocalCluster;

namespace MetricsOperator.Local;

/// <summary>
/// The operator's world when no cluster is given: a local control plane with this
/// repository's CRDs, RBAC and samples installed, and a client configuration that
/// authenticates as the operator's own ServiceAccount (so the generated RBAC is what it runs
/// with). Developer mode: it uses kubectl to apply the manifests.
/// </summary>
internal sealed partial class LocalEnvironment : IAsyncDisposable
{
    private LocalEnvironment(LocalControlPlane plane, string adminKubeconfig, string repositoryRoot)
    {
        Plane = plane;
        AdminKubeconfig = adminKubeconfig;
        RepositoryRoot = repositoryRoot;
    }

    /// <summary>The running control plane.</summary>
    public LocalControlPlane Plane { get; }

    /// <summary>A kubeconfig for a human at another terminal (cluster admin).</summary>
    public string AdminKubeconfig { get; }

    /// <summary>The repository the manifests came from.</summary>
    public string RepositoryRoot { get; }

    /// <summary>How the operator connects: as its ServiceAccount, holding only the generated RBAC.</summary>
    public KubernetesClientConfiguration OperatorConfiguration => new()
    {
        Host = Plane.Server.ToString(),
        AccessToken = Plane.OperatorToken,
        SkipTlsVerify = true,
    };

    /// <summary>Starts the control plane and installs CRDs, RBAC and (unless told not to) the samples.</summary>
    public static async Task<LocalEnvironment> StartAsync(string repositoryRoot, bool applySamples, TextWriter progress, CancellationToken cancellationToken)
    {
        progress.WriteLine("No cluster given: starting a local control plane (etcd + kube-apiserver " + ControlPlaneAssets.KubernetesVersion + ")...");
        var plane = await LocalControlPlane.StartAsync(cancellationToken);
        var kubeconfigFolder = Path.Combine(repositoryRoot, ".local");
        Directory.CreateDirectory(kubeconfigFolder);
        var kubeconfig = Path.Combine(kubeconfigFolder, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, Kubeconfig.Render(plane.Server, "admin", plane.AdminToken), cancellationToken);
        var environment = new LocalEnvironment(plane, kubeconfig, repositoryRoot);
        try
        {
            await environment.InstallAsync(applySamples, progress, cancellationToken);
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Plane.DisposeAsync();
        File.Delete(AdminKubeconfig);
    }

    /// <summary>Runs kubectl as admin against the local control plane.</summary>
    public async Task<string> KubectlAsync(IEnumerable<string> args, string? stdin = null, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"--kubeconfig={AdminKubeconfig}");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("kubectl could not be started; is it installed?");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl {string.Join(' ', args)} failed: {await stderr}");
        }

        return await stdout;
    }

    private async Task InstallAsync(bool applySamples, TextWriter progress, CancellationToken cancellationToken)
    {
        var config = Path.Combine(RepositoryRoot, "config");
        await KubectlAsync(["create", "namespace", Identity.OperatorNamespace], cancellationToken: cancellationToken);
        progress.WriteLine("Installing CRDs (config/crd) and RBAC (config/rbac)...");
        await KubectlAsync(["apply", "--server-side", "-f", Path.Combine(config, "crd")], cancellationToken: cancellationToken);
        await KubectlAsync(["apply", "--server-side", "-f", Path.Combine(config, "rbac")], cancellationToken: cancellationToken);
        await KubectlAsync(["wait", "--for=condition=Established", "--timeout=30s", "crd", "--all"], cancellationToken: cancellationToken);
        if (!applySamples)
        {
            return;
        }

        var samples = Directory.GetFiles(Path.Combine(config, "samples"), "*.yaml").Order().ToList();
        var namespaces = samples.SelectMany(file => NamespaceLine().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value)).ToHashSet();
        foreach (var ns in namespaces.Order())
        {
            await KubectlAsync(["create", "namespace", ns], cancellationToken: cancellationToken);
        }

        // The operator reaches Secrets only where the stack-namespace role is bound: bind it where the sample stacks live.
        var binding = await File.ReadAllTextAsync(Path.Combine(config, "rbac", "stack-namespace", "role_binding.yaml"), cancellationToken);
        foreach (var ns in StackNamespaces(samples))
        {
            await KubectlAsync(["apply", "-n", ns, "-f", "-"], binding.Replace("namespace: metrics\n", $"namespace: {ns}\n", StringComparison.Ordinal), cancellationToken);
        }

        progress.WriteLine($"Applying {samples.Count} samples (config/samples) into {string.Join(", ", namespaces.Order())}...");
        foreach (var sample in samples)
        {
            await KubectlAsync(["apply", "--server-side", "-f", sample], cancellationToken: cancellationToken);
        }
    }

    private static IEnumerable<string> StackNamespaces(IEnumerable<string> samples) =>
        samples.Select(File.ReadAllText)
            .Where(text => text.Contains("kind: MetricsStack", StringComparison.Ordinal))
            .SelectMany(text => NamespaceLine().Matches(text).Select(m => m.Groups[1].Value))
            .Distinct()
            .Order();

    [GeneratedRegex(@"^\s+namespace:\s*([a-z0-9-]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}

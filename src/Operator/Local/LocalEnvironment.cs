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

    /// <summary>Runs kubectl as admin against the local control plane; throws when it fails.</summary>
    public async Task<string> KubectlAsync(IEnumerable<string> args, string? stdin = null, CancellationToken cancellationToken = default) =>
        (await Kubectl.RunAsync(AdminKubeconfig, args, stdin, cancellationToken)).EnsureSuccess().StandardOutput;

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

        // Each sample says in its header which namespace it belongs in ("kubectl apply -n <ns>"). The full stack
        // shares the minimal one's name and namespace and names Secrets that come from Vault in Phalanx, which a
        // fresh control plane does not have: the minimal stack (no Secrets needed) is the one applied here.
        var samples = Directory.GetFiles(Path.Combine(config, "samples"), "*.yaml")
            .Where(file => !file.EndsWith("_metricsstack.yaml", StringComparison.Ordinal))
            .Order()
            .Select(file => (File: file, Namespace: TargetNamespace(file)))
            .ToList();
        foreach (var ns in samples.Select(s => s.Namespace).Distinct().Order())
        {
            await KubectlAsync(["create", "namespace", ns], cancellationToken: cancellationToken);
        }

        // The operator reaches Secrets only where the stack-namespace role is bound: bind it where the sample stacks live.
        foreach (var ns in samples.Where(s => File.ReadAllText(s.File).Contains("kind: MetricsStack", StringComparison.Ordinal)).Select(s => s.Namespace).Distinct())
        {
            await KubectlAsync(["apply", "-n", ns, "-f", "-"], StackNamespaceBinding.For(RepositoryRoot, ns), cancellationToken);
        }

        progress.WriteLine($"Applying {samples.Count} samples (config/samples) into {string.Join(", ", samples.Select(s => s.Namespace).Distinct().Order())}...");
        foreach (var (file, ns) in samples)
        {
            await KubectlAsync(["apply", "--server-side", "-n", ns, "-f", file], cancellationToken: cancellationToken);
        }
    }

    private static string TargetNamespace(string sample)
    {
        var hint = ApplyHint().Match(File.ReadAllText(sample));
        return hint.Success ? hint.Groups[1].Value : "default";
    }

    [GeneratedRegex(@"kubectl apply -n ([a-z0-9-]+)")]
    private static partial Regex ApplyHint();

}

using k8s;
using k8s.Models;
using MetricsOperator.LocalCluster;
using MetricsOperator.TestSupport;

namespace MetricsOperator.E2E;

/// <summary>
/// The local control plane with the API server's audit log counting the operator's requests, and the repository's
/// CRDs and RBAC installed as hack/run.sh installs them (kubectl, server-side apply). Everything the benchmark itself
/// writes goes through <see cref="Admin"/>, which carries <see cref="OwnedObjectGuard"/> like every test fixture.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    // One event per request (at RequestReceived: a watch is counted when it is opened, not when it ends), and only the
    // operator's: the benchmark's own requests and the kubelet stand-in's never reach the log.
    private static readonly string AuditPolicy = $"""
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: ["ResponseStarted", "ResponseComplete"]
        rules:
        - level: Metadata
          users: ["{Identity.Operator.UserName}"]
        - level: None
        """;

    private BenchCluster(LocalControlPlane plane, string repository, string adminKubeconfig, string operatorKubeconfig)
    {
        Plane = plane;
        Repository = repository;
        AdminKubeconfig = adminKubeconfig;
        OperatorKubeconfig = operatorKubeconfig;
        Admin = new Kubernetes(new KubernetesClientConfiguration { Host = plane.Server.ToString(), AccessToken = plane.AdminToken, SkipTlsVerify = true }, new OwnedObjectGuard());
        Audit = new AuditLog(plane.AuditLogPath, Identity.Operator.UserName);
    }

    public LocalControlPlane Plane { get; }

    public string Repository { get; }

    public string AdminKubeconfig { get; }

    /// <summary>The operator's ServiceAccount identity: it holds only config/rbac's permissions.</summary>
    public string OperatorKubeconfig { get; }

    public Kubernetes Admin { get; }

    public AuditLog Audit { get; }

    public static async Task<BenchCluster> StartAsync(string repository, CancellationToken cancellationToken)
    {
        var plane = await StartPlaneAsync(cancellationToken);
        var admin = Path.Combine(plane.RunFolder, "admin.kubeconfig");
        var op = Path.Combine(plane.RunFolder, "operator.kubeconfig");
        await File.WriteAllTextAsync(admin, Kubeconfig.Render(plane.Server, "admin", plane.AdminToken), cancellationToken);
        await File.WriteAllTextAsync(op, Kubeconfig.Render(plane.Server, "metrics-operator", plane.OperatorToken), cancellationToken);
        var cluster = new BenchCluster(plane, repository, admin, op);
        await cluster.InstallAsync(cancellationToken);
        return cluster;
    }

    // The plane gives its API server 60 s to get ready; on a machine loaded by other builds that can pass. A second and
    // third try start afresh (the failed plane removed itself).
    private static async Task<LocalControlPlane> StartPlaneAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await LocalControlPlane.StartAsync(AuditPolicy, cancellationToken);
            }
            catch (TimeoutException) when (attempt < 3)
            {
                Console.WriteLine($"  (the control plane did not get ready in time, attempt {attempt}; starting it again)");
            }
        }
    }

    /// <summary>Creates <paramref name="ns"/> and, for a stack's namespace, binds the operator's stack-namespace role there.</summary>
    public async Task CreateNamespaceAsync(string ns, bool holdsStack, CancellationToken cancellationToken)
    {
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: cancellationToken);
        if (holdsStack)
        {
            await KubectlAsync(["apply", "-n", ns, "-f", "-"], StackNamespaceBinding.For(Repository, ns), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Plane.DisposeAsync();
    }

    private async Task InstallAsync(CancellationToken cancellationToken)
    {
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Identity.OperatorNamespace } }, cancellationToken: cancellationToken);
        await KubectlAsync(["apply", "--server-side", "-f", Path.Combine(Repository, "config", "crd")], null, cancellationToken);
        await KubectlAsync(["apply", "--server-side", "-f", Path.Combine(Repository, "config", "rbac")], null, cancellationToken);
        await KubectlAsync(["wait", "--for=condition=Established", "--timeout=60s", "crd", "--all"], null, cancellationToken);
    }

    private async Task KubectlAsync(IEnumerable<string> args, string? stdin, CancellationToken cancellationToken) =>
        (await Kubectl.RunAsync(AdminKubeconfig, args, stdin, cancellationToken)).EnsureSuccess();
}

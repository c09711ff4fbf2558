using k8s;
using k8s.Models;
using MetricsOperator.LocalCluster;

namespace MetricsOperator.TestSupport;

/// <summary>
/// The Kubernetes API server the tests talk to: by default a local etcd + kube-apiserver
/// 1.20 started once per test process (<see cref="SharedAsync"/>); when
/// <c>METRICS_OPERATOR_TEST_KUBECONFIG</c> names a kubeconfig, that cluster instead (other
/// identities are then reached by impersonation). Tests that must stop the API server
/// start their own with <see cref="StartPrivateAsync"/>.
/// </summary>
public sealed class ControlPlane : IAsyncDisposable
{
    /// <summary>The environment variable naming an existing cluster's kubeconfig.</summary>
    public const string KubeconfigVariable = "METRICS_OPERATOR_TEST_KUBECONFIG";

    private static readonly SemaphoreSlim SharedGate = new(1, 1);
    private static ControlPlane? _shared;

    private readonly KubernetesClientConfiguration _adminConfig;
    private readonly string _configFolder;

    private ControlPlane(LocalControlPlane? local, KubernetesClientConfiguration adminConfig, string adminKubeconfigPath)
    {
        Local = local;
        _adminConfig = adminConfig;
        AdminKubeconfigPath = adminKubeconfigPath;
        _configFolder = Path.Combine(Path.GetTempPath(), LocalControlPlane.RunFolderMarker, $"{Environment.ProcessId}-kubeconfigs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_configFolder);
        AdminClient = new Kubernetes(adminConfig, new OwnedObjectGuard());
    }

    /// <summary>The processes behind this control plane, or null when the tests use a given cluster.</summary>
    public LocalControlPlane? Local { get; }

    /// <summary>The API server's address.</summary>
    public Uri Server => new(_adminConfig.Host);

    /// <summary>A kubeconfig for an admin, for kubectl and for the operator run as a process.</summary>
    public string AdminKubeconfigPath { get; }

    /// <summary>A client authenticated as cluster admin.</summary>
    public IKubernetes AdminClient { get; }

    /// <summary>
    /// The control plane shared by every test in this process, started on first use and
    /// stopped when the process exits.
    /// </summary>
    public static async Task<ControlPlane> SharedAsync()
    {
        await SharedGate.WaitAsync();
        try
        {
            if (_shared is null)
            {
                var given = Environment.GetEnvironmentVariable(KubeconfigVariable);
                _shared = string.IsNullOrEmpty(given) ? await StartPrivateAsync() : FromKubeconfig(given);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => _shared.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            return _shared;
        }
        finally
        {
            SharedGate.Release();
        }
    }

    /// <summary>Starts a control plane of the caller's own, for tests that stop or restart its API server.</summary>
    public static async Task<ControlPlane> StartPrivateAsync(CancellationToken cancellationToken = default)
    {
        var local = await LocalControlPlane.StartAsync(cancellationToken);
        var path = Path.Combine(local.RunFolder, "admin.kubeconfig");
        await File.WriteAllTextAsync(path, Kubeconfig.Render(local.Server, "admin", local.AdminToken), cancellationToken);
        var config = new KubernetesClientConfiguration
        {
            Host = local.Server.ToString(),
            AccessToken = local.AdminToken,
            SkipTlsVerify = true,
        };
        return new ControlPlane(local, config, path);
    }

    /// <summary>A client for <paramref name="identity"/>, with extra handlers (e.g. request counters) in front of it.</summary>
    public Kubernetes CreateClient(Identity identity, params DelegatingHandler[] handlers) =>
        // Every identity but the operator's own plays a test fixture or a user: it may not create what the operator owns.
        identity.UserName == Identity.Operator.UserName ? CreateOperatorClient(identity, handlers) : CreateOperatorClient(identity, [new OwnedObjectGuard(), .. handlers]);

    /// <summary>
    /// A client the operator under test runs with, as <paramref name="identity"/> (its ServiceAccount, whatever its name,
    /// e.g. the chart's): without <see cref="OwnedObjectGuard"/>, since making what it owns is its job.
    /// </summary>
    public Kubernetes CreateOperatorClient(Identity identity, params DelegatingHandler[] handlers)
    {
        var token = TokenOf(identity);
        if (token is not null)
        {
            var config = new KubernetesClientConfiguration { Host = _adminConfig.Host, AccessToken = token, SkipTlsVerify = true };
            return new Kubernetes(config, handlers);
        }

        return new Kubernetes(_adminConfig, [.. handlers, new ImpersonationHandler(identity)]);
    }

    /// <summary>A client for <paramref name="identity"/> configured from its kubeconfig.</summary>
    public KubernetesClientConfiguration ClientConfiguration(Identity identity) =>
        TokenOf(identity) is { } token
            ? new KubernetesClientConfiguration { Host = _adminConfig.Host, AccessToken = token, SkipTlsVerify = true }
            : throw new NotSupportedException($"{identity.UserName} has no token on this cluster; use CreateClient (impersonation).");

    /// <summary>Writes a kubeconfig that authenticates as <paramref name="identity"/> and returns its path.</summary>
    public string KubeconfigFor(Identity identity)
    {
        var path = Path.Combine(_configFolder, $"{Sanitize(identity.UserName)}.kubeconfig");
        var token = TokenOf(identity);
        if (token is not null)
        {
            File.WriteAllText(path, Kubeconfig.Render(Server, Sanitize(identity.UserName), token));
            return path;
        }

        // A given cluster: kubectl impersonates from the admin kubeconfig (`as`/`as-groups`).
        var admin = File.ReadAllText(AdminKubeconfigPath);
        File.WriteAllText(path, admin);
        return path;
    }

    /// <summary>Creates a namespace with a unique name starting with <paramref name="prefix"/>.</summary>
    public async Task<string> CreateNamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        await AdminClient.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>Creates the namespace if it is missing.</summary>
    public async Task EnsureNamespaceAsync(string name)
    {
        try
        {
            await AdminClient.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Already there.
        }
    }

    /// <summary>Runs kubectl against this cluster as admin (or as <paramref name="identity"/>).</summary>
    public Task<KubectlResult> KubectlAsync(IEnumerable<string> args, Identity? identity = null, string? stdin = null, CancellationToken cancellationToken = default)
    {
        var all = new List<string>();
        if (identity is not null && TokenOf(identity) is null)
        {
            all.Add($"--as={identity.UserName}");
            all.AddRange(identity.Groups.Select(group => $"--as-group={group}"));
        }

        all.AddRange(args);
        return Kubectl.RunAsync(identity is null ? AdminKubeconfigPath : KubeconfigFor(identity), all, stdin, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        AdminClient.Dispose();
        if (Local is not null)
        {
            await Local.DisposeAsync();
        }

        try
        {
            Directory.Delete(_configFolder, recursive: true);
        }
        catch (IOException)
        {
            // Swept by the test script.
        }
    }

    private static ControlPlane FromKubeconfig(string path)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        return new ControlPlane(null, config, path);
    }

    private static string Sanitize(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '-'));

    private string? TokenOf(Identity identity) => Local switch
    {
        null => null,
        _ when identity == Identity.Admin => Local.AdminToken,
        _ when identity == Identity.Operator => Local.OperatorToken,
        _ => null,
    };
}

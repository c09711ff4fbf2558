using System.Diagnostics;
using System.Security.Cryptography;

namespace MetricsOperator.LocalCluster;

/// <summary>
/// An etcd and a kube-apiserver started as child processes on free loopback ports, with
/// RBAC and static token authentication. There is no kubelet and no controller-manager:
/// the API server decides admission, validation, RBAC, SSA, watches and finalizers, and
/// nothing ever runs a pod.
/// </summary>
public sealed class LocalControlPlane : IAsyncDisposable
{
    /// <summary>Every run folder lives under this one, so the test script can find and kill orphans.</summary>
    public const string RunFolderMarker = "metrics-operator-controlplane";

    private readonly string _assets;
    private readonly int _etcdClientPort;
    private readonly int _etcdPeerPort;
    private Process? _etcd;
    private Process? _apiServer;
    private string? _auditPolicy;

    private LocalControlPlane(string assets, string runFolder)
    {
        _assets = assets;
        RunFolder = runFolder;
        _etcdClientPort = FreePort.Next();
        _etcdPeerPort = FreePort.Next();
        SecurePort = FreePort.Next();
        AdminToken = NewToken();
        OperatorToken = NewToken();
    }

    /// <summary>The folder with this instance's etcd data, certificates, keys and logs.</summary>
    public string RunFolder { get; }

    /// <summary>The API server's HTTPS port on 127.0.0.1.</summary>
    public int SecurePort { get; }

    /// <summary>The API server's address.</summary>
    public Uri Server => new($"https://127.0.0.1:{SecurePort}");

    /// <summary>Bearer token of the admin user (group system:masters).</summary>
    public string AdminToken { get; }

    /// <summary>Bearer token of the operator's ServiceAccount identity (see <see cref="Identity.Operator"/>).</summary>
    public string OperatorToken { get; }

    /// <summary>Where the API server writes its audit log (one JSON event per line), when started with an audit policy.</summary>
    public string AuditLogPath => Path.Combine(RunFolder, "audit.log");

    /// <summary>Starts etcd and the API server and waits until the API server is ready.</summary>
    public static Task<LocalControlPlane> StartAsync(CancellationToken cancellationToken = default) => StartAsync(auditPolicy: null, cancellationToken);

    /// <summary>
    /// As <see cref="StartAsync(CancellationToken)"/>, with the API server's audit log on (<see cref="AuditLogPath"/>)
    /// under <paramref name="auditPolicy"/> (an audit.k8s.io/v1 Policy): the API server's own count of who asked what,
    /// which bench/Operator.E2E reads to count the operator's requests by verb.
    /// </summary>
    public static async Task<LocalControlPlane> StartAsync(string? auditPolicy, CancellationToken cancellationToken = default)
    {
        var assets = ControlPlaneAssets.Locate();
        var runFolder = Path.Combine(Path.GetTempPath(), RunFolderMarker, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(runFolder);
        var plane = new LocalControlPlane(assets, runFolder) { _auditPolicy = auditPolicy };
        try
        {
            plane.WriteCredentials();
            await plane.StartEtcdAsync(cancellationToken);
            await plane.StartApiServerAsync(cancellationToken);
            return plane;
        }
        catch
        {
            await plane.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the API server (again, after <see cref="StopApiServerAsync"/>) and waits until it is ready.</summary>
    public async Task StartApiServerAsync(CancellationToken cancellationToken = default)
    {
        if (_apiServer is { HasExited: false })
        {
            return;
        }

        string[] args =
        [
            $"--etcd-servers=http://127.0.0.1:{_etcdClientPort}",
            $"--secure-port={SecurePort}",
            "--insecure-port=0",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            "--service-cluster-ip-range=10.0.0.0/24",
            "--authorization-mode=RBAC",
            $"--token-auth-file={Path.Combine(RunFolder, "tokens.csv")}",
            "--service-account-issuer=https://kubernetes.default.svc",
            $"--service-account-key-file={Path.Combine(RunFolder, "sa.key")}",
            $"--service-account-signing-key-file={Path.Combine(RunFolder, "sa.key")}",
            $"--cert-dir={Path.Combine(RunFolder, "certs")}",
            "--event-ttl=1h",
        ];
        if (_auditPolicy is not null)
        {
            var policy = Path.Combine(RunFolder, "audit-policy.yaml");
            await File.WriteAllTextAsync(policy, _auditPolicy, cancellationToken);
            args = [.. args, $"--audit-policy-file={policy}", $"--audit-log-path={AuditLogPath}", "--audit-log-maxsize=0"];
        }

        _apiServer = StartProcess(Path.Combine(_assets, "kube-apiserver"), args, "kube-apiserver.log");
        await WaitUntilAsync(IsApiServerReadyAsync, TimeSpan.FromSeconds(60), "kube-apiserver /readyz", cancellationToken);
    }

    /// <summary>Stops the API server (etcd and the data stay), as when a cluster's control plane restarts.</summary>
    public async Task StopApiServerAsync()
    {
        await StopAsync(_apiServer);
        _apiServer = null;
    }

    /// <summary>The last lines of the API server's log, for failure messages.</summary>
    public string ApiServerLogTail(int lines = 40)
    {
        var path = Path.Combine(RunFolder, "kube-apiserver.log");
        return File.Exists(path) ? string.Join('\n', ReadShared(path).TakeLast(lines)) : "(no log)";
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(_apiServer);
        await StopAsync(_etcd);
        _apiServer = null;
        _etcd = null;
        try
        {
            Directory.Delete(RunFolder, recursive: true);
        }
        catch (IOException)
        {
            // A log still being flushed by a dying process: the test script sweeps leftovers.
        }
    }

    private static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();

    private static List<string> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var all = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            all.Add(line);
        }

        return all;
    }

    private void WriteCredentials()
    {
        // Static token authentication: one admin, and the operator's ServiceAccount identity,
        // which holds nothing until the generated ClusterRoleBinding is applied.
        var op = Identity.Operator;
        File.WriteAllLines(Path.Combine(RunFolder, "tokens.csv"),
        [
            $"{AdminToken},{Identity.Admin.UserName},admin-uid,\"{string.Join(',', Identity.Admin.Groups)}\"",
            $"{OperatorToken},{op.UserName},operator-uid,\"{string.Join(',', op.Groups)}\"",
        ]);

        using var rsa = RSA.Create(2048);
        File.WriteAllText(Path.Combine(RunFolder, "sa.key"), rsa.ExportRSAPrivateKeyPem());
    }

    private async Task StartEtcdAsync(CancellationToken cancellationToken)
    {
        var client = $"http://127.0.0.1:{_etcdClientPort}";
        _etcd = StartProcess(Path.Combine(_assets, "etcd"),
        [
            $"--data-dir={Path.Combine(RunFolder, "etcd")}",
            $"--listen-client-urls={client}",
            $"--advertise-client-urls={client}",
            $"--listen-peer-urls=http://127.0.0.1:{_etcdPeerPort}",
            $"--initial-advertise-peer-urls=http://127.0.0.1:{_etcdPeerPort}",
            $"--initial-cluster=default=http://127.0.0.1:{_etcdPeerPort}",
            "--unsafe-no-fsync=false",
        ], "etcd.log");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await WaitUntilAsync(async ct =>
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"{client}/health"), ct);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // One probe outlived its 2 s (etcd starting on a loaded machine): not ready yet, as the API server's
                // probe already treats it; the deadline decides, not one slow answer.
                return false;
            }
        }, TimeSpan.FromSeconds(30), "etcd /health", cancellationToken);
    }

    private async Task<bool> IsApiServerReadyAsync(CancellationToken cancellationToken)
    {
        if (_apiServer is { HasExited: true })
        {
            throw new InvalidOperationException($"kube-apiserver exited with {_apiServer.ExitCode}:\n{ApiServerLogTail()}");
        }

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Server, "/readyz"));
        request.Headers.Authorization = new("Bearer", AdminToken);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private Process StartProcess(string file, IEnumerable<string> args, string logName)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}");
        var log = new StreamWriter(new FileStream(Path.Combine(RunFolder, logName), FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var gate = new object();
        void Write(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (gate)
            {
                try
                {
                    log.WriteLine(e.Data);
                }
                catch (ObjectDisposedException)
                {
                    // Output after the plane was disposed is of no interest.
                }
            }
        }

        process.OutputDataReceived += Write;
        process.ErrorDataReceived += Write;
        process.Exited += (_, _) =>
        {
            lock (gate)
            {
                log.Dispose();
            }
        };
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task StopAsync(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            process.Dispose();
        }
    }

    private static async Task WaitUntilAsync(Func<CancellationToken, Task<bool>> ready, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await ready(cancellationToken))
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"{what} not ready after {timeout.TotalSeconds} s");
    }
}

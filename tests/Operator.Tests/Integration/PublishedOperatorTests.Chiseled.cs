using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using MetricsOperator.LocalCluster;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// The image's base is the chiseled (distroless) runtime-deps image, which holds only glibc, libstdc++, OpenSSL and
/// the CA certificates. There is no Docker engine here, so the published binary runs in a root filesystem holding
/// only those (<see cref="ChiseledRoot"/>), as the chart's user, against the test API server: what it needs beyond
/// them (a shell, ICU, zlib, time zones) fails here before it fails in a pod.
/// </summary>
public sealed partial class PublishedOperatorTests
{
    [Fact]
    public void The_image_runs_on_the_chiseled_base_of_the_ubuntu_release_it_is_built_on()
    {
        var from = File.ReadAllLines(RepoPaths.InRepo("Dockerfile"))
            .Where(l => l.StartsWith("FROM ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(parts => parts[^1], parts => parts[1]);
        // The binary links against the build stage's glibc: the image must carry the same release's, or a newer one.
        from["build"].ShouldEndWith("/dotnet/sdk:10.0-noble-aot");
        from["runtime"].ShouldEndWith("/dotnet/runtime-deps:10.0-noble-chiseled");
    }

    [Fact]
    public async Task The_published_binary_gets_ready_in_a_root_holding_only_what_the_chiseled_image_holds()
    {
        Environment.UserName.ShouldBe("root", "building the root and entering it (chroot, namespaces) needs root, as the test command runs");
        using var root = ChiseledRoot.Build(Path.Combine(published.Folder, "metrics-operator"));
        root.Holds("bin/sh").ShouldBeFalse();
        root.Holds("usr/lib/x86_64-linux-gnu/libssl.so.3").ShouldBeTrue();

        var run = await RunInRootAsync(root, WithKubeconfig(root), new Dictionary<string, string>(), TimeSpan.FromSeconds(30));

        run.Ready.ShouldBeTrue($"the operator did not get ready in the chiseled root:\n{run.Output}");
        output.WriteLine($"ready in the chiseled root after {run.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Without_openssl_in_the_root_the_published_binary_does_not_get_ready()
    {
        // The control for the test above: the root is all the binary can reach, so taking OpenSSL out must stop it
        // (the API server speaks only TLS). Were the host's libraries reachable, this would get ready.
        using var root = ChiseledRoot.Build(Path.Combine(published.Folder, "metrics-operator"), "libssl", "libcrypto");
        root.Holds("usr/lib/x86_64-linux-gnu/libssl.so.3").ShouldBeFalse();

        var run = await RunInRootAsync(root, WithKubeconfig(root), new Dictionary<string, string>(), TimeSpan.FromSeconds(10));

        run.Ready.ShouldBeFalse(run.Output);
        run.Output.ShouldContain("libssl", customMessage: "the failure names the missing library");
        output.WriteLine(run.Output);
    }

    [Fact]
    public async Task A_backup_jobs_command_compresses_signs_and_uploads_in_a_root_holding_only_what_the_chiseled_image_holds()
    {
        // The InfluxDB backup Job's command: gzip on the way (zlib, linked into the binary), S3's SigV4 (OpenSSL's
        // HMAC and SHA-256) and the result file the Job's status is read from, as the chart's user.
        using var root = ChiseledRoot.Build(Path.Combine(published.Folder, "metrics-operator"));
        await using var source = await MetricsOperator.Fakes.Influx.InfluxFake.StartNewAsync();
        var onboarding = source.Onboard();
        await MetricsOperator.Tests.Backup.InfluxWrites.WriteAsync(source, onboarding.Token, "requests,app=butler latency=12.5 1700000000000000000\n");
        var settings = s3.Settings($"chiseled-{Guid.NewGuid():N}/");
        const string Result = "/tmp/termination-log";

        using var process = Process.Start(root.StartInfo(
            ["backup", "influxdb", "--influxdb-url", source.BaseUri.AbsoluteUri, "--keep", "3", "--stack", "metrics/metrics", "--result-file", Result,
             "--s3-bucket", settings.Bucket, "--s3-prefix", settings.Prefix, "--s3-endpoint", settings.Endpoint!.AbsoluteUri, "--s3-region", settings.Region],
            new Dictionary<string, string>(ImageEnvironment.Read(RepoPaths.Root))
            {
                ["AWS_ACCESS_KEY_ID"] = settings.AccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = settings.SecretAccessKey,
                ["INFLUX_TOKEN"] = onboarding.Token,
            }))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var printed = await stdout + await stderr;

        process.ExitCode.ShouldBe(0, printed);
        var outcome = MetricsOperator.Backup.Jobs.BackupJobResult.Parse(await File.ReadAllTextAsync(root.Inside(Result))).ShouldNotBeNull();
        outcome.ToRunResult().ShouldNotBeNull(printed);
        printed.ShouldNotContain(onboarding.Token);
        source.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task In_a_pod_the_published_binary_finds_its_cluster_from_the_service_account_and_trusts_only_its_ca()
    {
        // What the chart's pod gives it: no --kubeconfig, the ServiceAccount's files where the kubelet mounts them and
        // the Service's address in the environment; the API server's certificate checked against ca.crt alone.
        var local = fixture.Plane.Local.ShouldNotBeNull("the local control plane's CA signs the API server's certificate");
        using var root = ChiseledRoot.Build(Path.Combine(published.Folder, "metrics-operator"));
        var pod = ServiceAccountFiles(root, local, ClusterCa(local));

        var run = await RunInRootAsync(root, [], pod, TimeSpan.FromSeconds(30));

        run.Ready.ShouldBeTrue($"the operator did not get ready from its ServiceAccount:\n{run.Output}");
        run.Output.ShouldNotContain("control plane", customMessage: "in a pod it must not start a local control plane");
    }

    [Fact]
    public async Task In_a_pod_the_published_binary_refuses_an_api_server_its_ca_did_not_sign()
    {
        // The control for the test above: were the certificate not checked, this would get ready too.
        var local = fixture.Plane.Local.ShouldNotBeNull("the local control plane's CA signs the API server's certificate");
        using var root = ChiseledRoot.Build(Path.Combine(published.Folder, "metrics-operator"));
        var pod = ServiceAccountFiles(root, local, OtherCa());

        var run = await RunInRootAsync(root, [], pod, TimeSpan.FromSeconds(8));

        run.Ready.ShouldBeFalse(run.Output);
        // The log names the reason, not only .NET's "see inner exception" (ErrorText).
        run.Output.ShouldContain("The SSL connection could not be established: The remote certificate was rejected", customMessage: "the refusal is the certificate's, and the log says so");
        output.WriteLine(run.Output);
    }

    [Fact]
    public async Task As_pid_1_of_its_pod_the_published_binary_stops_on_sigterm_and_hands_its_lease_back()
    {
        // The kubelet stops a container with SIGTERM to its PID 1, then SIGKILL after the grace period. PID 1 gets no
        // default action for a signal it has no handler for, so a binary that did not handle SIGTERM would be killed
        // 30 s later and leave its Lease to expire (15 s more before a new leader).
        var leaseNamespace = await fixture.Plane.CreateNamespaceAsync("chiseled-lease");
        var role = (await File.ReadAllTextAsync(RepoPaths.InRepo("config", "rbac", "leader_election_role.yaml")))
            + "\n---\n" + await File.ReadAllTextAsync(RepoPaths.InRepo("config", "rbac", "leader_election_role_binding.yaml"));
        // The chart's Role and RoleBinding, installed in this namespace instead of the chart's (the subject stays the operator's ServiceAccount).
        const string Metadata = "  name: metrics-operator-leader-election\n  namespace: ";
        var installed = role.Replace(Metadata + "metrics-operator\n", Metadata + leaseNamespace + "\n", StringComparison.Ordinal);
        installed.Split(Metadata + leaseNamespace).Length.ShouldBe(3, "both objects moved to the test's namespace");
        (await fixture.Plane.KubectlAsync(["apply", "-f", "-"], stdin: installed)).EnsureSuccess();
        using var root = ChiseledRoot.Build(Path.Combine(published.Folder, "metrics-operator"));
        var port = FreePort();
        var info = root.StartInfo(
            ["run", .. WithKubeconfig(root), "--leader-elect", "--lease-namespace", leaseNamespace, "--probe-address", $"http://127.0.0.1:{port}", "--namespace", "published-binary-test"],
            ImageEnvironment.Read(RepoPaths.Root));
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var held = await HolderAsync(leaseNamespace, h => h is { Length: > 0 }, TimeSpan.FromSeconds(30));
            held.ShouldNotBeNullOrEmpty("the operator took the lease");
            var operatorPid = int.Parse(File.ReadAllText($"/proc/{process.Id}/task/{process.Id}/children").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            File.ReadAllText($"/proc/{operatorPid}/status").ShouldContain("NSpid:\t" + operatorPid + "\t1", customMessage: "the operator is PID 1 of its namespace");

            var stopwatch = Stopwatch.StartNew();
            using (var term = Process.Start("kill", ["-TERM", operatorPid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            output.WriteLine($"stopped {stopwatch.ElapsedMilliseconds} ms after SIGTERM, exit {process.ExitCode}");
            var printed = await stdout + await stderr;
            process.ExitCode.ShouldBe(0, printed);
            printed.ShouldContain("Released lease metrics-operator-leader");
            (await HolderAsync(leaseNamespace, h => string.IsNullOrEmpty(h), TimeSpan.FromSeconds(1))).ShouldBeNullOrEmpty("the Lease is free at once for the next leader");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The Lease's holder once <paramref name="wanted"/> holds for it, or its last value after <paramref name="timeout"/>.</summary>
    private async Task<string?> HolderAsync(string leaseNamespace, Func<string?, bool> wanted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? holder = null;
        do
        {
            try
            {
                var lease = await fixture.Plane.AdminClient.CoordinationV1.ReadNamespacedLeaseAsync("metrics-operator-leader", leaseNamespace);
                holder = lease.Spec?.HolderIdentity;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                holder = null;
            }

            if (wanted(holder))
            {
                return holder;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return holder;
    }

    /// <summary>
    /// The files the kubelet mounts for the pod's ServiceAccount (token, ca.crt, namespace) and the variables it sets
    /// for the kubernetes Service; returns the variables.
    /// </summary>
    private static Dictionary<string, string> ServiceAccountFiles(ChiseledRoot root, LocalControlPlane local, X509Certificate2 authority)
    {
        const string Folder = "/var/run/secrets/kubernetes.io/serviceaccount";
        var source = Directory.CreateTempSubdirectory("serviceaccount-").FullName;
        File.WriteAllText(Path.Combine(source, "token"), local.OperatorToken);
        File.WriteAllText(Path.Combine(source, "ca.crt"), authority.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(source, "namespace"), "metrics-operator");
        foreach (var file in new[] { "token", "ca.crt", "namespace" })
        {
            root.Add($"{Folder}/{file}", Path.Combine(source, file));
        }

        Directory.Delete(source, recursive: true);
        return new Dictionary<string, string>
        {
            ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1",
            ["KUBERNETES_SERVICE_PORT"] = local.SecurePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    // kube-apiserver 1.20 writes its self-signed serving certificate, then the CA that signed it, into one file.
    private static X509Certificate2 ClusterCa(LocalControlPlane local)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(Path.Combine(local.RunFolder, "certs", "apiserver.crt"));
        return bundle.Single(c => c.Subject == c.Issuer);
    }

    private static X509Certificate2 OtherCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=not-this-cluster", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>The operator's kubeconfig, put in the root; the arguments that name it.</summary>
    private string[] WithKubeconfig(ChiseledRoot root)
    {
        const string Kubeconfig = "/etc/metrics-operator/kubeconfig";
        root.Add(Kubeconfig, fixture.Plane.KubeconfigFor(Identity.Operator));
        return ["--kubeconfig", Kubeconfig];
    }

    /// <summary>
    /// Starts `run` in the root with the image's ENV, <paramref name="environment"/> and <paramref name="cluster"/>'s
    /// arguments, and waits for /readyz; stops it either way.
    /// </summary>
    private static async Task<(bool Ready, TimeSpan Elapsed, string Output)> RunInRootAsync(ChiseledRoot root, string[] cluster, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var port = FreePort();
        var info = root.StartInfo(
            ["run", .. cluster, "--probe-address", $"http://127.0.0.1:{port}", "--namespace", "published-binary-test"],
            new Dictionary<string, string>(ImageEnvironment.Read(RepoPaths.Root).Concat(environment)));
        var printed = new ConcurrentQueue<string>();
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, line) => Keep(printed, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(printed, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var stopwatch = Stopwatch.StartNew();
        var ready = false;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
            while (!ready && stopwatch.Elapsed < timeout && !process.HasExited)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"));
                    ready = response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                catch (TaskCanceledException)
                {
                    // Not answering yet.
                }

                await Task.Delay(ready ? 0 : 20);
            }
        }
        finally
        {
            var exited = process.HasExited ? $"exited with {process.ExitCode}" : "stopped by the test";
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.WaitForExit(); // and its output read to the end
            printed.Enqueue($"({exited})");
        }

        return (ready, stopwatch.Elapsed, string.Join('\n', printed));

        static void Keep(ConcurrentQueue<string> lines, string? line)
        {
            if (line is not null)
            {
                lines.Enqueue(line);
            }
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using k8s;
using MetricsOperator.LocalCluster;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// The published binary in the chiseled root (<see cref="ChiseledRoot"/>) as the chart's pod runs it: its cluster from
/// the ServiceAccount's files and the kubernetes Service's variables, and stopped by the kubelet's SIGTERM as PID 1.
/// </summary>
public sealed partial class PublishedOperatorTests
{
    [Fact]
    public async Task In_a_pod_the_published_binary_finds_its_cluster_from_the_service_account_and_trusts_only_its_ca()
    {
        // What the chart's pod gives it: no --kubeconfig, the ServiceAccount's files where the kubelet mounts them and
        // the Service's address in the environment; the API server's certificate checked against ca.crt alone.
        var local = fixture.Plane.Local.ShouldNotBeNull("the local control plane's CA signs the API server's certificate");
        using var root = ChiseledRoot.Build(Path.Combine(published.Folder, "metrics-operator"));
        var pod = ServiceAccountFiles(root, local, ClusterCertificates.AuthorityOf(local));

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
        var pod = ServiceAccountFiles(root, local, ClusterCertificates.AnotherAuthority());

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
}

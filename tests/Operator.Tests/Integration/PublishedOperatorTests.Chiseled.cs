using System.Collections.Concurrent;
using System.Diagnostics;
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

        var (exitCode, printed) = await RunToExitAsync(
            root.StartInfo(
                ["backup", "influxdb", "--influxdb-url", source.BaseUri.AbsoluteUri, "--keep", "3", "--stack", "metrics/metrics", "--result-file", Result,
                 "--s3-bucket", settings.Bucket, "--s3-prefix", settings.Prefix, "--s3-endpoint", settings.Endpoint!.AbsoluteUri, "--s3-region", settings.Region],
                new Dictionary<string, string>(ImageEnvironment.Read(RepoPaths.Root))
                {
                    ["AWS_ACCESS_KEY_ID"] = settings.AccessKeyId,
                    ["AWS_SECRET_ACCESS_KEY"] = settings.SecretAccessKey,
                    ["INFLUX_TOKEN"] = onboarding.Token,
                }),
            "backup influxdb in the chiseled root");

        exitCode.ShouldBe(0, printed);
        var outcome = MetricsOperator.Backup.Jobs.BackupJobResult.Parse(await File.ReadAllTextAsync(root.Inside(Result))).ShouldNotBeNull();
        outcome.ToRunResult().ShouldNotBeNull(printed);
        printed.ShouldNotContain(onboarding.Token);
        source.Contract.AssertNoContractViolations();
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
            ready = await AnswersAsync(port, "/readyz", process, timeout);
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

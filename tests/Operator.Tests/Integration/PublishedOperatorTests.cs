using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MetricsOperator.LocalCluster;
using MetricsOperator.TestSupport;
using Xunit.Abstractions;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// The container image's build, without a Docker engine: the Dockerfile's own `dotnet publish` line runs on a copy
/// of the build context, and the published binary starts, answers /healthz, and gets ready against the test API
/// server as the operator's ServiceAccount. The publish happens once per test run (this class's fixture).
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed partial class PublishedOperatorTests(ApiServerFixture fixture, PublishedOperatorTests.Published published, ITestOutputHelper output)
    : IClassFixture<PublishedOperatorTests.Published>
{
    [Fact]
    public void The_dockerfile_restores_every_project_the_operator_references()
    {
        var dockerfile = File.ReadAllText(RepoPaths.InRepo("Dockerfile"));
        foreach (var project in ReferencedProjects(RepoPaths.InRepo("src", "Operator", "Operator.csproj")))
        {
            var relative = Path.GetRelativePath(RepoPaths.Root, project).Replace('\\', '/');
            dockerfile.ShouldContain($"COPY {relative} ", customMessage: $"the restore stage must copy {relative}");
        }

        dockerfile.ShouldContain("USER 65532:65532");
        dockerfile.ShouldContain("DOTNET_GCgen0size=0x400000", customMessage: "a 4 MiB gen0 budget: 11 MiB less peak RSS at full size (docs/performance.md)");
    }

    [Fact]
    public void The_publish_uses_the_container_profile()
    {
        published.Command.ShouldContain("-p:PublishProfile=Container");
        var runtimeConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(published.Folder, "metrics-operator.runtimeconfig.json")))!;
        ((bool?)runtimeConfig["runtimeOptions"]!["configProperties"]!["System.GC.Server"]).ShouldBe(false);
        ((bool?)runtimeConfig["runtimeOptions"]!["configProperties"]!["System.Globalization.Invariant"]).ShouldBe(true);
        ((bool?)runtimeConfig["runtimeOptions"]!["configProperties"]!["System.Runtime.TieredPGO"]).ShouldBe(false, "dynamic PGO doubles the CPU of a burst of first reconciles (docs/performance.md)");
        File.Exists(Path.Combine(published.Folder, "metrics-operator")).ShouldBeTrue("the apphost the image's ENTRYPOINT runs");
    }

    [Fact]
    public void The_publish_carries_no_influxdb_client_and_no_reflection_based_json_library()
    {
        // InfluxApi speaks to InfluxDB itself: these came with InfluxDB.Client and cost 11.4 MiB of file-backed RSS
        // at full size, and their reflection stops trimming and Native AOT (docs/performance.md, third pass).
        var assemblies = Directory.GetFiles(published.Folder, "*.dll").Select(Path.GetFileNameWithoutExtension).ToList();
        assemblies.ShouldContain("metrics-operator");
        assemblies.ShouldNotContain(a => a!.StartsWith("InfluxDB.Client", StringComparison.Ordinal));
        assemblies.ShouldNotContain("Newtonsoft.Json");
        assemblies.ShouldNotContain("RestSharp");
        assemblies.ShouldNotContain("JsonSubTypes");
    }

    [Fact]
    public async Task The_published_binary_starts_in_under_two_seconds_and_gets_ready()
    {
        var kubeconfig = fixture.Plane.KubeconfigFor(Identity.Operator);
        var times = new List<TimeSpan>();
        for (var run = 0; run < 3; run++)
        {
            var port = FreePort();
            using var process = Start(kubeconfig, port);
            try
            {
                var stopwatch = Stopwatch.StartNew();
                await WaitForAsync(port, "/healthz", process, TimeSpan.FromSeconds(20));
                times.Add(stopwatch.Elapsed);
                if (run == 0)
                {
                    await WaitForAsync(port, "/readyz", process, TimeSpan.FromSeconds(30));
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        output.WriteLine($"Published operator: start to /healthz 200 in {string.Join(", ", times.Select(t => $"{t.TotalMilliseconds:F0} ms"))} (best of 3 must be < 2000 ms)");
        times.Min().ShouldBeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task The_published_binary_runs_a_backup_jobs_command_with_only_the_jobs_environment_and_reports_missing_credentials()
    {
        await using var grafana = await MetricsOperator.Fakes.Grafana.GrafanaFake.StartNewAsync();
        grafana.AdminPassword = $"pw-{Guid.NewGuid():N}";
        using (var api = new MetricsOperator.Backup.Grafana.GrafanaConfigApi(grafana.BaseUri, MetricsOperator.Grafana.GrafanaCredentials.Basic("admin", grafana.AdminPassword), TimeSpan.FromSeconds(10)))
        {
            await MetricsOperator.Tests.Backup.GrafanaSeed.FillAsync(api);
        }

        var claim = Directory.CreateTempSubdirectory("published-claim-").FullName;
        var tmp = Directory.CreateTempSubdirectory("published-tmp-").FullName;
        var result = Path.Combine(tmp, "termination-log");
        // The arguments the operator gives a Grafana backup Job (BackupJobBuilder), with the paths the pod would have.
        var info = new ProcessStartInfo(Path.Combine(published.Folder, "metrics-operator")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "backup", "grafana", "--dir", claim, "--grafana-url", grafana.BaseUri.AbsoluteUri, "--keep", "7", "--stack", "metrics/metrics", "--result-file", result })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Clear();
        info.Environment["GRAFANA_USER"] = "admin";
        info.Environment["GRAFANA_PASSWORD"] = grafana.AdminPassword + "\n"; // a Secret made with echo
        info.Environment["TMPDIR"] = tmp;
        info.Environment["DOTNET_ROOT"] = Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? Path.GetDirectoryName(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "/usr/share/dotnet/dotnet")!;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        process.ExitCode.ShouldBe(0, await stdout + await stderr);
        var outcome = MetricsOperator.Backup.Jobs.BackupJobResult.Parse(await File.ReadAllTextAsync(result)).ShouldNotBeNull();
        var snapshot = outcome.ToRunResult().ShouldNotBeNull().Snapshot;
        File.Exists(Path.Combine(claim, "grafana", snapshot, "manifest.json")).ShouldBeTrue();
        (await stdout + await stderr).ShouldNotContain(grafana.AdminPassword);

        // The Secret without the keys (every Grafana key is optional in the Job): exit 1, and the reason for BackupReady.
        info.Environment.Remove("GRAFANA_USER");
        info.Environment.Remove("GRAFANA_PASSWORD");
        using var without = Process.Start(info)!;
        var output = await without.StandardOutput.ReadToEndAsync() + await without.StandardError.ReadToEndAsync();
        await without.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        without.ExitCode.ShouldBe(1, output);
        var failed = MetricsOperator.Backup.Jobs.BackupJobResult.Parse(await File.ReadAllTextAsync(result)).ShouldNotBeNull();
        failed.Reason.ShouldBe(MetricsOperator.Backup.Scheduling.BackupReasons.CredentialsMissing);
        failed.Error.ShouldBe("environment variable GRAFANA_USER is not set");
        failed.ToRunResult().ShouldBeNull();
    }

    private Process Start(string kubeconfig, int port)
    {
        var info = new ProcessStartInfo(Path.Combine(published.Folder, "metrics-operator"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "run", "--kubeconfig", kubeconfig, "--probe-address", $"http://127.0.0.1:{port}", "--namespace", "published-binary-test" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForAsync(int port, string path, Process process, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            process.HasExited.ShouldBeFalse($"the operator exited with {(process.HasExited ? process.ExitCode : 0)} before {path} answered");
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"{path} did not answer 200 within {timeout}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static HashSet<string> ReferencedProjects(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.Count > 0)
        {
            var current = Path.GetFullPath(pending.Pop());
            if (!seen.Add(current))
            {
                continue;
            }

            foreach (Match reference in ProjectReference().Matches(File.ReadAllText(current)))
            {
                pending.Push(Path.Combine(Path.GetDirectoryName(current)!, reference.Groups[1].Value));
            }
        }

        return seen;
    }

    [GeneratedRegex("<ProjectReference Include=\"([^\"]+)\"")]
    private static partial Regex ProjectReference();

    /// <summary>
    /// Copies the build context (what the Dockerfile copies: the props files and src/, without bin/obj) to a
    /// temporary folder and runs the Dockerfile's restore and publish lines there, output redirected.
    /// </summary>
    public sealed class Published : IDisposable
    {
        private readonly DirectoryInfo context = Directory.CreateTempSubdirectory("publish-context");

        public Published()
        {
            var dockerfile = File.ReadAllLines(RepoPaths.InRepo("Dockerfile"));
            foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig" })
            {
                File.Copy(RepoPaths.InRepo(file), Path.Combine(context.FullName, file));
            }

            CopyTree(RepoPaths.InRepo("src"), Path.Combine(context.FullName, "src"));
            Folder = Path.Combine(context.FullName, "app");
            foreach (var line in dockerfile.Where(l => l.StartsWith("RUN dotnet ", StringComparison.Ordinal)))
            {
                var command = line["RUN ".Length..].Replace(" -o /app", $" -o {Folder}", StringComparison.Ordinal);
                if (command.Contains("publish", StringComparison.Ordinal))
                {
                    Command = command;
                }

                Run(command);
            }

            if (Command.Length == 0)
            {
                throw new InvalidOperationException("The Dockerfile has no `RUN dotnet publish` line.");
            }
        }

        public string Folder { get; }

        public string Command { get; private set; } = "";

        public void Dispose()
        {
            try
            {
                context.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private void Run(string command)
        {
            var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var info = new ProcessStartInfo(parts[0]) { WorkingDirectory = context.FullName, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var part in parts.Skip(1))
            {
                info.ArgumentList.Add(part);
            }

            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"`{command}` failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
            }
        }

        private static void CopyTree(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (var file in Directory.GetFiles(from))
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }

            foreach (var folder in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
            {
                CopyTree(folder, Path.Combine(to, Path.GetFileName(folder)));
            }
        }
    }
}

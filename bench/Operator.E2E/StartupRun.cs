using System.Globalization;
using MetricsOperator.LocalCluster;
using MetricsOperator.TestSupport;

namespace MetricsOperator.E2E;

/// <summary>
/// <c>--startup</c>: the published operator started several times against a kubeconfig whose API server never answers,
/// with the image's environment. The host, the probes and the informers start and nothing is listed, so what is measured
/// is the binary itself: exec to <c>/healthz</c> answering, and RSS (with its parts) after 5 s. It runs in seconds and
/// needs no API server, so a publish that only starts (a Native AOT build whose models cannot be read yet) is measured
/// too; the full run's "first reconcile" needs the whole load.
/// </summary>
internal static class StartupRun
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string repository, string published, int times, TextWriter output)
    {
        var folder = Directory.CreateTempSubdirectory("metrics-operator-startup-");
        try
        {
            var kubeconfig = Path.Combine(folder.FullName, "kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, Unanswered(FreePort.Next()));
            var nowhere = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
            var environment = ImageEnvironment.Read(repository);
            var runs = new List<(double HealthzMs, ProcessMemory Memory)>();
            for (var i = 0; i < times; i++)
            {
                await using var op = PublishedOperator.Start(published, kubeconfig, nowhere, nowhere, TimeSpan.FromMinutes(10), environment, []);
                var healthz = await op.WaitForProbeAsync("/healthz", TimeSpan.FromSeconds(60));
                await Task.Delay(Settle);
                var healthzMs = (healthz - op.StartedAt).TotalMilliseconds;
                var memory = op.Memory();
                runs.Add((healthzMs, memory));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  start {i + 1}: /healthz after {healthzMs:F0} ms; RSS after {Settle.TotalSeconds:F0} s {memory}"));
            }

            var startup = runs.Select(r => r.HealthzMs).Order().ElementAt(runs.Count / 2);
            var median = runs.Select(r => r.Memory).OrderBy(m => m.Rss).ElementAt(runs.Count / 2);
            var rss = median.Rss;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median of {runs.Count}: /healthz after {startup:F0} ms; RSS {median}"));
            output.WriteLine("targets (../shared/DESIGN.md), the binary alone (no API server: no CRs, no reconcile):");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(startup < 300 ? "PASS" : "MISS")}  startup < 300 ms (here exec to /healthz): {startup:F0} ms"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(rss < 64 ? "PASS" : "MISS")}  RSS < 64 MiB (here with nothing loaded): {rss:F1} MiB"));
            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // A port nothing listens on: every list fails with "connection refused" and the informers back off and retry.
    private static string Unanswered(int port) => $"""
        apiVersion: v1
        kind: Config
        current-context: unanswered
        clusters:
        - name: unanswered
          cluster:
            server: https://127.0.0.1:{port}
            insecure-skip-tls-verify: true
        contexts:
        - name: unanswered
          context:
            cluster: unanswered
            user: nobody
        users:
        - name: nobody
          user:
            token: unused
        """;
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MetricsOperator.LocalCluster;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// The README's main command, as a newcomer runs it with no cluster: <c>bash hack/run.sh</c> brings up the local
/// control plane, the real operator and the simulated cluster parts, and what it prints is true: the minimal stack
/// becomes Ready, the tokens land in Secrets, a sample AppAlert's rules reach the (stand-in) Grafana, which the
/// printed curl command reads with the admin password the operator generated.
/// </summary>
public sealed partial class RunScriptTests
{
    [Fact]
    public async Task The_main_job_shows_the_minimal_stack_becoming_ready_and_the_sample_alerts_reaching_grafana()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        // --local: a run on a developer's machine with a kubeconfig still takes the no-cluster path, as in CI. Port 0: the
        // kernel picks the probe port when the operator binds it (a port picked here stayed free only until run.sh had
        // built, about 15 s, and another test's server took it once).
        foreach (var arg in new[] { "hack/run.sh", "--local", "--probe-address", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("KUBECONFIG");
        start.Environment["CONFIGURATION"] = "Debug";  // what the test run already built
        var output = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Printed() { lock (output) { return output.ToString(); } }

        try
        {
            await Eventually.UntilAsync(() => Task.FromResult<string?>(Printed()),
                o => o!.Contains("[simulated] AppAlert mobu/mobu is synced: 3 rules", StringComparison.Ordinal) && o.Contains("[simulated] MetricsStack metrics/metrics is Ready", StringComparison.Ordinal),
                "run.sh says the stack is Ready and mobu's rules reached Grafana", TimeSpan.FromMinutes(4));

            var printed = Printed();
            printed.ShouldContain("[simulated] kubelet: started pod metrics/metrics-grafana-");
            printed.ShouldContain("[simulated] the Grafana stand-in took its admin login from the pod's environment");
            // The printed curl command, run as printed: the password comes from the Secret the operator made.
            var url = CurlUrl().Match(printed).Groups[1].Value;
            var kubeconfig = Path.Combine(RepoPaths.Root, ".local", "kubeconfig");
            var secrets = (await Kubectl.RunAsync(kubeconfig, ["-n", "metrics", "get", "secrets", "-o", "name"])).EnsureSuccess().StandardOutput;
            secrets.ShouldContain("secret/metrics-telegraf-token", Case.Sensitive, "the tokens land in Secrets");
            secrets.ShouldContain("secret/metrics-grafana-token");
            var password = Encoding.UTF8.GetString(Convert.FromBase64String((await Kubectl.RunAsync(kubeconfig,
                ["-n", "metrics", "get", "secret", "metrics-grafana-admin", "-o", "jsonpath={.data.password}"])).EnsureSuccess().StandardOutput));
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}")));
            var rules = JsonNode.Parse(await http.GetStringAsync(new Uri(url)))!.AsArray();
            rules.Count(r => (string?)r!["folderUID"] == "app-mobu").ShouldBe(3, url);
        }
        finally
        {
            // What Ctrl-C would do: the script's trap stops the operator (and its control plane) and the stand-ins.
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
        }
    }

    [GeneratedRegex(@"base64 -d\)"" (http://127\.0\.0\.1:\d+/api/v1/provisioning/alert-rules)")]
    private static partial Regex CurlUrl();
}

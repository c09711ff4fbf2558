using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using MetricsOperator.Cli;
using MetricsOperator.Hosting;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Hosting;
using MetricsOperator.Runtime.Leader;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Packaging;
using MetricsOperator.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// The chart as Argo CD would install it on the test API server (1.20): rendered by the test renderer with the
/// server's own API versions as Capabilities, applied server-side with its CRDs, re-applied without a change; then
/// the operator runs with the Deployment's own arguments as the chart's ServiceAccount (only the chart's RBAC),
/// takes its Lease, reconciles the minimal sample, and the Argo CD health scripts read the objects it wrote.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class ChartInstallTests(ApiServerFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task The_rendered_chart_applies_and_the_operator_reconciles_under_its_service_account()
    {
        var plane = fixture.Plane;
        var releaseNamespace = await plane.CreateNamespaceAsync("chart");
        var stackNamespace = await plane.CreateNamespaceAsync("chart-stack");
        var release = "mo-" + releaseNamespace[^8..];
        var capabilities = await DiscoverApiVersionsAsync(plane);
        var manifests = HelmChart.Render(release, releaseNamespace, $"stackNamespaces: [{stackNamespace}]\nwatchNamespace: {stackNamespace}\n", capabilities);
        var pdb = manifests.Single(m => m.Kind == "PodDisruptionBudget");
        pdb.ApiVersion.ShouldBe(capabilities.Contains("policy/v1/PodDisruptionBudget") ? "policy/v1" : "policy/v1beta1");
        output.WriteLine($"Server offers policy/v1 PodDisruptionBudget: {capabilities.Contains("policy/v1/PodDisruptionBudget")}; the chart rendered {pdb.ApiVersion} and that is what was applied.");

        var file = Path.Combine(Path.GetTempPath(), $"{release}.yaml");
        await File.WriteAllTextAsync(file, string.Join("\n---\n", HelmChart.Crds().Select(c => c.Yaml).Concat(manifests.Select(m => m.Yaml))));
        (await plane.KubectlAsync(["apply", "--server-side", "--field-manager=argocd-controller", "--force-conflicts", "-f", file])).EnsureSuccess();
        var before = await ResourceVersionsAsync(plane, file);
        (await plane.KubectlAsync(["apply", "--server-side", "--field-manager=argocd-controller", "--force-conflicts", "-f", file])).EnsureSuccess();
        (await ResourceVersionsAsync(plane, file)).ShouldBe(before, "a second sync of the same chart changes nothing");

        var deployment = manifests.Single(m => m.Kind == "Deployment");
        var args = deployment.Json["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => (string)a!).ToArray();
        var serviceAccount = (string)deployment.Json["spec"]!["template"]!["spec"]!["serviceAccountName"]!;
        await using var op = Operator.Start(plane, Identity.ServiceAccount(releaseNamespace, serviceAccount), args, releaseNamespace);

        await Eventually(() => Task.FromResult(op.Manager.IsLeader), "the operator leads");
        var lease = (await plane.KubectlAsync(["get", "lease", "-n", releaseNamespace, "metrics-operator-leader", "-o", "json"])).EnsureSuccess();
        ((string?)JsonNode.Parse(lease.StandardOutput)!["spec"]!["holderIdentity"]).ShouldNotBeNullOrEmpty();

        (await plane.KubectlAsync(["apply", "-n", stackNamespace, "-f", RepoPaths.InRepo("config", "samples", "metrics.lsst.io_v1alpha1_metricsstack_minimal.yaml")])).EnsureSuccess();
        var stack = await ObservedAsync(plane, stackNamespace, "metricsstack", "metrics", generation: 1);
        output.WriteLine($"MetricsStack status written by the operator: {stack["status"]!.ToJsonString()}");
        (await plane.KubectlAsync(["get", "statefulset", "-n", stackNamespace, "metrics-influxdb"])).EnsureSuccess();
        var ready = Ready(stack);
        ((string?)ready["reason"]).ShouldNotBe("NamespaceNotBound", "the chart's stack-namespace RoleBinding lets the operator at the stack's Secrets");
        ((string?)ready["status"]).ShouldBe("False", "no kubelet here: the stack's pods never run");
        (await ArgoHealth.EvaluateAsync("MetricsStack", stack)).ShouldBe(("Progressing", (string)ready["message"]!));

        (await plane.KubectlAsync(["patch", "metricsstack", "-n", stackNamespace, "metrics", "--type=merge", "-p", """{"spec":{"grafana":{"mode":"external"}}}"""])).EnsureSuccess();
        var invalid = await ObservedAsync(plane, stackNamespace, "metricsstack", "metrics", generation: 2);
        ((string?)Ready(invalid)["reason"]).ShouldBe("InvalidSpec");
        var degraded = await ArgoHealth.EvaluateAsync("MetricsStack", invalid);
        degraded.Status.ShouldBe("Degraded");
        degraded.Message.ShouldContain("spec.grafana.url");
        output.WriteLine($"After an invalid edit: {degraded}");

        var stale = invalid.DeepClone();
        stale["metadata"]!["generation"] = 3;
        (await ArgoHealth.EvaluateAsync("MetricsStack", stale)).ShouldBe(("Progressing", "Waiting for the operator to observe generation 3"));
        var deleting = invalid.DeepClone();
        deleting["metadata"]!["deletionTimestamp"] = "2026-01-01T00:00:00Z";
        (await ArgoHealth.EvaluateAsync("MetricsStack", deleting)).ShouldBe(("Progressing", "Deleting"));

        (await plane.KubectlAsync(["apply", "-n", stackNamespace, "-f", RepoPaths.InRepo("config", "samples", "metrics.lsst.io_v1alpha1_appalert_mobu.yaml")])).EnsureSuccess();
        var alert = await ObservedAsync(plane, stackNamespace, "appalert", "mobu", generation: 1);
        output.WriteLine($"AppAlert status written by the operator: {alert["status"]!.ToJsonString()}");
        var alertHealth = await ArgoHealth.EvaluateAsync("AppAlert", alert);
        ((string?)Ready(alert)["reason"]).ShouldBe("StackNotReady", "its stack is InvalidSpec");
        alertHealth.ShouldBe(("Progressing", (string)Ready(alert)["message"]!));
    }

    private static JsonNode Ready(JsonNode obj) =>
        obj["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Ready")!;

    private static async Task<JsonNode> ObservedAsync(ControlPlane plane, string ns, string kind, string name, long generation)
    {
        JsonNode? last = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var result = await plane.KubectlAsync(["get", kind, "-n", ns, name, "-o", "json"]);
            last = result.ExitCode == 0 ? JsonNode.Parse(result.StandardOutput) : null;
            if ((long?)last?["metadata"]?["generation"] == generation && (long?)last?["status"]?["observedGeneration"] == generation
                && last?["status"]?["conditions"]?.AsArray().Any(c => (string?)c!["type"] == "Ready") == true)
            {
                return last!;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{kind} {ns}/{name} was not reported at generation {generation}; last: {last?.ToJsonString()}");
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>What Argo CD passes to helm as --api-versions: every group/version and group/version/Kind the server serves.</summary>
    private static async Task<HashSet<string>> DiscoverApiVersionsAsync(ControlPlane plane)
    {
        var versions = new HashSet<string>(StringComparer.Ordinal);
        var groupVersions = new List<(string GroupVersion, string Path)> { ("v1", "/api/v1") };
        var groups = JsonNode.Parse((await plane.KubectlAsync(["get", "--raw", "/apis"])).EnsureSuccess().StandardOutput)!;
        foreach (var group in groups["groups"]!.AsArray())
        {
            foreach (var version in group!["versions"]!.AsArray())
            {
                var groupVersion = (string)version!["groupVersion"]!;
                groupVersions.Add((groupVersion, "/apis/" + groupVersion));
            }
        }

        foreach (var (groupVersion, path) in groupVersions)
        {
            versions.Add(groupVersion);
            var resources = JsonNode.Parse((await plane.KubectlAsync(["get", "--raw", path])).EnsureSuccess().StandardOutput)!;
            foreach (var resource in resources["resources"]!.AsArray().Where(r => !((string)r!["name"]!).Contains('/', StringComparison.Ordinal)))
            {
                versions.Add($"{groupVersion}/{(string)resource!["kind"]!}");
            }
        }

        return versions;
    }

    private static async Task<Dictionary<string, string>> ResourceVersionsAsync(ControlPlane plane, string file)
    {
        var list = JsonNode.Parse((await plane.KubectlAsync(["get", "-f", file, "-o", "json"])).EnsureSuccess().StandardOutput)!;
        return list["items"]!.AsArray().ToDictionary(
            item => $"{(string)item!["kind"]!}/{(string?)item["metadata"]!["namespace"]}/{(string)item["metadata"]!["name"]!}",
            item => (string)item!["metadata"]!["resourceVersion"]!);
    }

    /// <summary>
    /// The operator as `run` builds it from the chart's Deployment arguments (parsed by the real command line), with
    /// its client authenticated as <c>identity</c> (impersonated) and nothing else.
    /// </summary>
    private sealed class Operator : IAsyncDisposable
    {
        private readonly ServiceProvider services;
        private readonly CancellationTokenSource stop = new();
        private readonly Task run;

        private Operator(ServiceProvider services)
        {
            this.services = services;
            Manager = services.GetRequiredService<Manager>();
            run = Task.Run(() => Manager.RunAsync(stop.Token));
        }

        public Manager Manager { get; }

        public static Operator Start(ControlPlane plane, Identity identity, string[] args, string podNamespace)
        {
            var parse = new RootCommand { RunCommand.Create() }.Parse(args);
            parse.Errors.ShouldBeEmpty();
            var collection = new ServiceCollection();
            collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
            collection.AddControllerRuntime(new ManagerOptions
            {
                Namespace = parse.GetValue<string?>("--namespace"),
                Workers = parse.GetValue<int>("--workers"),
                ResyncPeriod = parse.GetValue<TimeSpan>("--resync-period"),
                LeaderElection = parse.GetValue<bool>("--leader-elect")
                    ? new LeaderElectionOptions { LeaseNamespace = parse.GetValue<string>("--lease-namespace")!, LeaseName = "metrics-operator-leader" }
                    : null,
            });
            collection.AddSingleton(_ => new KubeApi(plane.CreateOperatorClient(identity), ownsClient: true));
            collection.AddSingleton(_ => new RuntimeMetrics(Prometheus.Metrics.NewCustomRegistry()));
            collection.AddSingleton(StackBuildOptions.Default with { OperatorNamespace = podNamespace });
            OperatorControllers.Register(collection);
            return new Operator(collection.BuildServiceProvider());
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (OperationCanceledException)
            {
            }

            await Manager.DisposeAsync();
            await services.DisposeAsync();
            stop.Dispose();
        }
    }
}

using System.Net;
using System.Net.Sockets;
using k8s.Models;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Hosting;
using MetricsOperator.Runtime.Reconcile;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace MetricsOperator.Runtime.Tests.Integration;

[Collection(SharedPlaneGroup.Name)]
public sealed class HostingTests(SharedPlaneFixture fixture)
{
    private sealed class NoOp : IReconciler<V1Deployment>
    {
        public Task<ReconcileResult> ReconcileAsync(V1Deployment entity, CancellationToken cancellationToken) => Task.FromResult(ReconcileResult.Done);
    }

    [Fact]
    public async Task The_host_serves_health_readiness_and_controller_runtime_metrics()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("host");
        await fixture.Admin.CreateAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "d", NamespaceProperty = ns },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "d" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "d" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "example.invalid/none:1" }] },
                },
            },
        });
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.AddControllerRuntimeConsole();
        builder.Services.AddSingleton<NoOp>();
        builder.Services.AddControllerRuntime(new ManagerOptions { Namespace = ns, Name = "hosting-test" }, fixture.Plane.ClientConfiguration(Identity.Admin));
        builder.Services.AddController(c => c.For<V1Deployment>().Named("hosted").Complete<NoOp>());
        await using var app = builder.Build();
        app.MapControllerRuntimeEndpoints();
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            (await http.GetStringAsync(new Uri("/healthz", UriKind.Relative))).ShouldBe("ok");
            await Eventually.UntilAsync(async () => (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode == HttpStatusCode.OK, "ready once the caches synced");
            await Eventually.UntilAsync(
                async () => (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Contains("controller_runtime_reconcile_total{controller=\"hosted\",result=\"success\"}", StringComparison.Ordinal),
                "the reconcile shows in /metrics");
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            foreach (var name in new[] { "controller_runtime_reconcile_time_seconds_bucket", "workqueue_depth{name=\"hosted\"}", "workqueue_adds_total{name=\"hosted\"}", "workqueue_queue_duration_seconds_bucket", "workqueue_work_duration_seconds_bucket" })
            {
                metrics.ShouldContain(name);
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }
}

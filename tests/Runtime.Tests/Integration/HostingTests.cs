using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Hosting;
using MetricsOperator.Runtime.Reconcile;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddControllerRuntimeConsole();
        builder.Services.AddSingleton<NoOp>();
        builder.Services.AddControllerRuntime(new ManagerOptions { Namespace = ns, Name = "hosting-test" }, fixture.Plane.ClientConfiguration(Identity.Admin));
        builder.Services.AddControllerRuntimeEndpoints("http://127.0.0.1:0");
        builder.Services.AddController(c => c.For<V1Deployment>().Named("hosted").Complete<NoOp>());
        var app = builder.Build();
        await using var disposeApp = (IAsyncDisposable)app; // the manager disposes asynchronously, so must its host
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://{app.Services.GetRequiredService<ProbeServer>().Endpoint}") };
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

    [Fact]
    public async Task An_informer_that_cannot_read_its_kind_stops_the_host_with_the_failure_instead_of_idling()
    {
        // What a Native AOT build without the JSON metadata of a model did: the first list threw NotSupportedException,
        // and the process stayed up, answering /healthz, reconciling nothing and logging nothing. UnreadableConfigMap
        // is registered with no JSON context, as a program that forgot its kind would be.
        var ns = await fixture.Plane.CreateNamespaceAsync("unreadable");
        await fixture.Admin.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = ns }, Data = new Dictionary<string, string> { ["k"] = "v" } });

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddControllerRuntimeEndpoints("http://127.0.0.1:0");
        builder.Services.AddSingleton<NoOpOnUnreadable>();
        builder.Services.AddControllerRuntime(new ManagerOptions { Namespace = ns, Name = "unreadable-test" }, fixture.Plane.ClientConfiguration(Identity.Admin));
        builder.Services.AddController(c => c.For<UnreadableConfigMap>().Named("unreadable").Complete<NoOpOnUnreadable>());
        var app = builder.Build(); // RunAsync disposes it
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var manager = app.Services.GetRequiredService<Manager>();

        // The host stops by itself (the token is only a guard against the old behaviour: running until cancelled).
        await app.RunAsync(timeout.Token);

        timeout.IsCancellationRequested.ShouldBeFalse("the host ran until the test gave up, as if nothing had failed");
        var failure = manager.Failure.ShouldNotBeNull();
        failure.ShouldBeOfType<NotSupportedException>().Message.ShouldContain(nameof(UnreadableConfigMap));
    }

    private sealed class NoOpOnUnreadable : IReconciler<UnreadableConfigMap>
    {
        public Task<ReconcileResult> ReconcileAsync(UnreadableConfigMap entity, CancellationToken cancellationToken) => Task.FromResult(ReconcileResult.Done);
    }
}

/// <summary>A ConfigMap under a type no JSON context knows: what a kind its program forgot to register looks like.</summary>
[KubernetesEntity(Group = "", ApiVersion = "v1", Kind = "ConfigMap", PluralName = "configmaps")]
public sealed class UnreadableConfigMap : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ConfigMap";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();
}

using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Hosting;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Hosting;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using GrafanaClientOptions = MetricsOperator.Grafana.GrafanaClientOptions;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>Sends the operator to the Grafana fake instead of the Service no pod serves.</summary>
internal sealed class FakeEndpoints(GrafanaFake grafana) : IStackEndpoints
{
    public Uri InfluxDb(V1Alpha1MetricsStack stack) => new("http://127.0.0.1:1");

    public Uri Grafana(V1Alpha1MetricsStack stack) => grafana.BaseUri;
}

/// <summary>
/// The AppAlert controller as the operator registers it (OperatorControllers.AddAlerting), run by the real runtime
/// Manager as the operator's ServiceAccount, against the Grafana fake; one namespace per test holding a MetricsStack
/// whose status the test sets Ready (no MetricsStack controller runs) and its Grafana admin Secret.
/// </summary>
internal sealed class AlertOperator : IAsyncDisposable
{
    public const string StackName = "metrics";

    private readonly ControlPlane plane;
    private readonly TimeSpan resyncPeriod;
    private readonly AlertSyncOptions options;
    private ServiceProvider? services;
    private CancellationTokenSource? stop;
    private Task? run;

    private AlertOperator(ControlPlane plane, GrafanaFake grafana, string ns, TimeSpan resyncPeriod, AlertSyncOptions options)
    {
        this.plane = plane;
        Grafana = grafana;
        Namespace = ns;
        this.resyncPeriod = resyncPeriod;
        this.options = options;
        Admin = plane.CreateClient(Identity.Admin);
    }

    public GrafanaFake Grafana { get; }

    public string Namespace { get; }

    public Kubernetes Admin { get; }

    public Manager Manager => services!.GetRequiredService<Manager>();

    public static async Task<AlertOperator> StartAsync(ControlPlane plane, TimeSpan? resyncPeriod = null, AlertSyncOptions? options = null)
    {
        var grafana = await GrafanaFake.StartNewAsync();
        var ns = await plane.CreateNamespaceAsync("alerts");
        await ClusterSetup.BindStackNamespaceAsync(plane, ns);
        var op = new AlertOperator(plane, grafana, ns, resyncPeriod ?? TimeSpan.FromMinutes(10), options ?? new AlertSyncOptions
        {
            OutageBackoffBase = TimeSpan.FromMilliseconds(200),
            OutageBackoffMax = TimeSpan.FromSeconds(1),
            Client = new GrafanaClientOptions { AttemptTimeout = TimeSpan.FromMilliseconds(500), MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(20) },
        });
        await op.CreateStackAsync();
        op.Start();
        return op;
    }

    /// <summary>Starts (again) the operator: a fresh manager, cache and Grafana sessions, as after a restart.</summary>
    public void Start()
    {
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        collection.AddControllerRuntime(new ManagerOptions { Namespace = Namespace, ResyncPeriod = resyncPeriod, Workers = 2 }, plane.ClientConfiguration(Identity.Operator));
        collection.AddSingleton(_ => new RuntimeMetrics(Prometheus.Metrics.NewCustomRegistry()));
        collection.AddSingleton<IStackEndpoints>(new FakeEndpoints(Grafana));
        collection.AddSingleton(options);
        OperatorControllers.AddAlerting(collection);
        services = collection.BuildServiceProvider();
        stop = new CancellationTokenSource();
        var manager = Manager;
        run = Task.Run(() => manager.RunAsync(stop.Token));
    }

    /// <summary>Stops the operator as a kill would: mid-whatever, nothing flushed.</summary>
    public async Task StopAsync()
    {
        await stop!.CancelAsync();
        await run!;
        await Manager.DisposeAsync();
        await services!.DisposeAsync();
        stop.Dispose();
    }

    public async Task<V1Alpha1AppAlert> CreateAsync(V1Alpha1AppAlert alert)
    {
        alert.Metadata.NamespaceProperty = Namespace;
        alert.Spec.StackRef ??= new StackReference { Name = StackName, Namespace = Namespace };
        var created = await Admin.CustomObjects.CreateNamespacedCustomObjectAsync(alert, ApiGroup.Name, ApiGroup.Version, Namespace, "appalerts");
        return Convert<V1Alpha1AppAlert>(created);
    }

    public async Task<V1Alpha1AppAlert?> GetAsync(string name)
    {
        try
        {
            return Convert<V1Alpha1AppAlert>(await Admin.CustomObjects.GetNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, Namespace, "appalerts", name));
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task PatchSpecAsync(string name, object spec) =>
        await Admin.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(JsonSerializer.Serialize(new { spec }), V1Patch.PatchType.MergePatch), ApiGroup.Name, ApiGroup.Version, Namespace, "appalerts", name);

    public async Task ReplaceSpecAsync(string name, Action<AppAlertSpec> change)
    {
        var alert = (await GetAsync(name))!;
        change(alert.Spec);
        await Admin.CustomObjects.ReplaceNamespacedCustomObjectAsync(alert, ApiGroup.Name, ApiGroup.Version, Namespace, "appalerts", name);
    }

    public Task DeleteAsync(string name) =>
        Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, Namespace, "appalerts", name);

    /// <summary>Waits until the AppAlert's Ready condition has <paramref name="status"/> and <paramref name="reason"/> at its current generation.</summary>
    public Task<V1Alpha1AppAlert> WaitForReadyAsync(string name, string status, string reason, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(
            () => GetAsync(name),
            a => a.Status?.ObservedGeneration == a.Metadata.Generation
                && a.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { } ready && ready.Status == status && ready.Reason == reason,
            $"AppAlert {name} is Ready={status} ({reason})",
            timeout);

    public async ValueTask DisposeAsync()
    {
        if (run is not null && !run.IsCompleted)
        {
            await StopAsync();
        }

        Admin.Dispose();
        await Grafana.DisposeAsync();
    }

    private async Task CreateStackAsync()
    {
        var stack = new V1Alpha1MetricsStack { Metadata = new V1ObjectMeta { Name = StackName, NamespaceProperty = Namespace } };
        await Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = StackNames.GrafanaAdminSecret(stack) },
            Data = new Dictionary<string, byte[]>
            {
                [StackNames.GrafanaUserKey] = Encoding.UTF8.GetBytes(Grafana.AdminUser),
                [StackNames.GrafanaPasswordKey] = Encoding.UTF8.GetBytes(Grafana.AdminPassword),
            },
        }, Namespace);
        await Admin.CustomObjects.CreateNamespacedCustomObjectAsync(stack, ApiGroup.Name, ApiGroup.Version, Namespace, "metricsstacks");
        await SetStackReadyAsync(true);
    }

    /// <summary>Sets the stack's Ready condition as its reconciler would.</summary>
    public async Task SetStackReadyAsync(bool ready)
    {
        var status = new
        {
            status = new
            {
                conditions = new[]
                {
                    new
                    {
                        type = "Ready", status = ready ? "True" : "False", reason = ready ? "AllComponentsReady" : "ComponentsNotReady",
                        message = ready ? "ready" : "Grafana: not ready", lastTransitionTime = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                    },
                },
            },
        };
        await Admin.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(JsonSerializer.Serialize(status), V1Patch.PatchType.MergePatch), ApiGroup.Name, ApiGroup.Version, Namespace, "metricsstacks", StackName);
    }

    private static T Convert<T>(object o) => KubernetesJson.Deserialize<T>(JsonSerializer.Serialize(o));
}


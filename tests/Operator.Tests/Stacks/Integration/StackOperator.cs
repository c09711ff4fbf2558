using System.Text.Json;
using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Hosting;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Hosting;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Steps;
using MetricsOperator.TestSupport;
using MetricsOperator.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace MetricsOperator.Tests.Stacks.Integration;


/// <summary>Records every write (method and path) the operator's client sends.</summary>
internal sealed class WriteRecorder : DelegatingHandler
{
    private static readonly string[] ChildCollections = ["/statefulsets/", "/deployments/", "/services/", "/configmaps/", "/persistentvolumeclaims/", "/networkpolicies/"];
    private readonly List<string> writes = [];

    public IReadOnlyList<string> Writes
    {
        get
        {
            lock (writes)
            {
                return [.. writes];
            }
        }
    }

    /// <summary>Writes to the stack's children (not Events, not the stack's own status or finalizers), as <c>METHOD kind/name</c>.</summary>
    public IReadOnlyList<string> ChildWrites => [.. Writes.Where(w => ChildCollections.Any(c => w.Contains(c, StringComparison.Ordinal))).Select(Short)];

    public void Reset()
    {
        lock (writes)
        {
            writes.Clear();
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Get)
        {
            lock (writes)
            {
                writes.Add(request.Method + " " + request.RequestUri!.AbsolutePath);
            }
        }

        return base.SendAsync(request, cancellationToken);
    }

    // "PATCH /apis/apps/v1/namespaces/x/statefulsets/metrics-influxdb" -> "PATCH statefulsets/metrics-influxdb"
    private static string Short(string write)
    {
        var parts = write.Split(' ', 2);
        var segments = parts[1].Split('/');
        return $"{parts[0]} {segments[^2]}/{segments[^1]}";
    }
}

/// <summary>
/// The operator as it runs, for one test namespace: the real runtime Manager built by the operator's own DI
/// registration (OperatorControllers), authenticated as the operator's ServiceAccount (only the generated RBAC),
/// watching only that namespace, with a recorder of its writes. The namespace gets the stack-namespace RoleBinding
/// the way config/rbac/stack-namespace/role_binding.yaml gives it.
/// </summary>
internal sealed class StackOperator : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly CancellationTokenSource stop = new();
    private Task? run;

    private StackOperator(ControlPlane plane, string ns, TimeSpan resyncPeriod)
    {
        Namespace = ns;
        Recorder = new WriteRecorder();
        Admin = new KubeApi(plane.CreateClient(Identity.Admin), ownsClient: true);
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        collection.AddControllerRuntime(new ManagerOptions { Namespace = ns, ResyncPeriod = resyncPeriod, Workers = 2 });
        // The operator's own client, but with the recorder in its pipeline; and metrics of its own per test.
        collection.AddSingleton(_ => new KubeApi(plane.ClientConfiguration(Identity.Operator), Recorder));
        collection.AddSingleton(_ => new RuntimeMetrics(Prometheus.Metrics.NewCustomRegistry()));
        OperatorControllers.Register(collection);
        // The steps beyond Kubernetes objects (InfluxDB setup, alerting) have tests of their own with fakes; here the
        // reconciler's own part is under test: validate, apply, prune, report.
        collection.RemoveAll<IStackStep>();
        services = collection.BuildServiceProvider();
        Manager = services.GetRequiredService<Manager>();
    }

    public string Namespace { get; }

    public WriteRecorder Recorder { get; }

    /// <summary>An admin client for what the test does itself.</summary>
    public KubeApi Admin { get; }

    public Manager Manager { get; }

    /// <summary>Every reconcile the MetricsStack controller finished, whatever its outcome.</summary>
    public double Reconciles => StackReconciles.Count(Manager);

    /// <summary>A new namespace bound to the stack-namespace ClusterRole (unless <paramref name="bindSecrets"/> is false), and the operator started on it.</summary>
    public static async Task<StackOperator> StartAsync(ControlPlane plane, bool bindSecrets = true, TimeSpan? resyncPeriod = null)
    {
        var ns = await plane.CreateNamespaceAsync("mstack");
        if (bindSecrets)
        {
            await ClusterSetup.BindStackNamespaceAsync(plane, ns);
        }

        var op = new StackOperator(plane, ns, resyncPeriod ?? TimeSpan.FromMinutes(10));
        op.run = Task.Run(() => op.Manager.RunAsync(op.stop.Token));
        await Eventually.UntilAsync(() => Task.FromResult(op.Manager.IsReady || op.run.IsCompleted), "the operator's caches synced");
        if (op.run.IsCompleted)
        {
            await op.run;
        }

        return op;
    }

    /// <summary>Creates <paramref name="stack"/> in the test namespace as a user would (admin) and returns it as stored.</summary>
    public async Task<V1Alpha1MetricsStack> CreateAsync(V1Alpha1MetricsStack stack)
    {
        stack.Metadata.NamespaceProperty = Namespace;
        stack.Metadata.Uid = null;
        stack.Status = null!;
        return (await Admin.CreateAsync(stack))!;
    }

    /// <summary>Merge-patches the stack's spec (as a user editing it) and returns the stored object.</summary>
    public async Task<V1Alpha1MetricsStack> PatchSpecAsync(string name, object spec)
    {
        var patch = JsonSerializer.Serialize(new { spec });
        return (await Admin.PatchAsync<V1Alpha1MetricsStack>(Namespace, name, PatchType.Merge, patch))!;
    }

    public Task<V1Alpha1MetricsStack?> GetAsync(string name) => Admin.GetAsync<V1Alpha1MetricsStack>(Namespace, name);

    /// <summary>Waits until the operator reported on <paramref name="generation"/> and Ready matches.</summary>
    public Task<V1Alpha1MetricsStack> WaitForReadyAsync(string name, long generation, string status, string reason, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(
            () => GetAsync(name),
            s => s.Status?.ObservedGeneration == generation && Ready(s) is { } ready && ready.Status == status && ready.Reason == reason,
            $"Ready={status}/{reason} at generation {generation}",
            timeout);

    /// <summary>Waits for <paramref name="count"/> more reconciles than now (a full pass after whatever is in flight).</summary>
    public async Task WaitForReconcilesAsync(int count)
    {
        var target = Reconciles + count;
        await Eventually.UntilAsync(() => Task.FromResult(Reconciles >= target), $"{count} more reconciles");
    }

    /// <summary>Queues the stack as a resync would, and waits until that reconcile finished.</summary>
    public Task ReconcileAgainAsync(string name) => StackReconciles.AgainAsync(Manager, Namespace, name);

    public async Task CreateSecretAsync(string name, params string[] keys)
    {
        await Admin.CreateAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Data = keys.ToDictionary(k => k, _ => "not-a-real-value"u8.ToArray()),
        });
    }

    public static V1Condition? Ready(V1Alpha1MetricsStack stack) => Condition(stack, MetricsStackConditions.Ready);

    public static V1Condition? Condition(V1Alpha1MetricsStack stack, string type) => stack.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (run is not null)
        {
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (OperationCanceledException)
            {
            }
        }

        // Disposes the Manager and the operator's client (and with it the recorder) too.
        await services.DisposeAsync();
        Admin.Dispose();
        stop.Dispose();
    }
}

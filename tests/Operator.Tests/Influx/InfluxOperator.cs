using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using k8s;
using MetricsOperator.TestSupport.Kubelet;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.Hosting;
using MetricsOperator.Influx;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Hosting;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.TestSupport;
using MetricsOperator.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MetricsOperator.Tests.Influx;

/// <summary>Every log line the operator wrote, whatever its level, as formatted text plus its arguments.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyList<string> Lines => [.. lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var arguments = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {arguments} | {exception}");
        }
    }
}

/// <summary>Points the operator at the in-process InfluxDB fake.</summary>
internal sealed class FakeEndpoints(Uri influx) : IStackEndpoints
{
    public Uri InfluxDb(V1Alpha1MetricsStack stack) => influx;

    public Uri Grafana(V1Alpha1MetricsStack stack) => new("http://127.0.0.1:1/");
}

/// <summary>
/// The operator as it runs (its own DI registration, the runtime Manager, the operator's RBAC-limited identity) on one
/// namespace, talking to an <see cref="InfluxFake"/>. It can be stopped and started again (a crash and a restart).
/// </summary>
internal sealed class InfluxOperator : IAsyncDisposable
{
    public const string Name = "metrics";

    private readonly ControlPlane plane;
    private ServiceProvider? services;
    private CancellationTokenSource? stop;
    private Task? run;

    private InfluxOperator(ControlPlane plane, string ns, InfluxFake influx)
    {
        this.plane = plane;
        Namespace = ns;
        Influx = influx;
        Admin = new KubeApi(plane.CreateClient(Identity.Admin), ownsClient: true);
    }

    public string Namespace { get; }

    public InfluxFake Influx { get; }

    public KubeApi Admin { get; }

    public CapturedLogs Logs { get; } = new();

    public Manager Manager { get; private set; } = null!;

    public static async Task<InfluxOperator> StartAsync(ControlPlane plane, InfluxFake influx)
    {
        var ns = await plane.CreateNamespaceAsync("influx");
        await ClusterSetup.BindStackNamespaceAsync(plane, ns);
        var op = new InfluxOperator(plane, ns, influx);
        await op.StartAgainAsync();
        return op;
    }

    /// <summary>Starts a fresh operator process (new Manager, new caches, no memory of the previous one).</summary>
    public async Task StartAgainAsync()
    {
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        collection.AddControllerRuntime(new ManagerOptions { Namespace = Namespace, Workers = 1 });
        collection.AddSingleton(_ => new KubeApi(plane.ClientConfiguration(Identity.Operator)));
        collection.AddSingleton(_ => new RuntimeMetrics(Prometheus.Metrics.NewCustomRegistry()));
        collection.AddSingleton<IStackEndpoints>(new FakeEndpoints(Influx.BaseUri));
        collection.AddSingleton(new InfluxClientOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(2),
            Retries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            UnreachableBackoffBase = TimeSpan.FromMilliseconds(200),
            UnreachableBackoffMax = TimeSpan.FromSeconds(2),
        });
        OperatorControllers.Register(collection);
        services = collection.BuildServiceProvider();
        Manager = services.GetRequiredService<Manager>();
        stop = new CancellationTokenSource();
        run = Task.Run(() => Manager.RunAsync(stop.Token));
        await Eventually.UntilAsync(() => Task.FromResult(Manager.IsReady || run.IsCompleted), "the operator's caches synced");
    }

    /// <summary>Stops the operator as a crash would (nothing is cleaned up in Kubernetes or InfluxDB).</summary>
    public async Task KillAsync()
    {
        await stop!.CancelAsync();
        try
        {
            await run!.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (OperationCanceledException)
        {
        }

        await services!.DisposeAsync();
        stop.Dispose();
        services = null;
    }

    public async Task<V1Alpha1MetricsStack> CreateStackAsync(object? spec = null)
    {
        var json = JsonSerializer.Serialize(new { apiVersion = "metrics.lsst.io/v1alpha1", kind = "MetricsStack", metadata = new { name = Name, @namespace = Namespace }, spec = spec ?? new { } });
        return (await Admin.CreateAsync(KubernetesJson.Deserialize<V1Alpha1MetricsStack>(json)))!;
    }

    public Task<V1Alpha1MetricsStack?> GetStackAsync() => Admin.GetAsync<V1Alpha1MetricsStack>(Namespace, Name);

    /// <summary>
    /// Plays the StatefulSet controller and kubelet (there are none here) through the kubelet stand-in: InfluxDB's pod
    /// starts, as on a cluster, only if everything it references exists and it meets the restricted profile.
    /// </summary>
    public async Task MakeInfluxDbReadyAsync()
    {
        await Eventually.UntilAsync(() => Admin.GetAsync<V1StatefulSet>(Namespace, $"{Name}-influxdb"), s => s is not null, "InfluxDB's StatefulSet exists");
        using var client = plane.CreateClient(Identity.Admin);
        var kubelet = new KubeletStandIn(client, Namespace);
        await kubelet.PassAsync();
        kubelet.Verdicts[$"{Name}-influxdb"].Stage.ShouldBe(PodStage.Ready, kubelet.Verdicts[$"{Name}-influxdb"].Message);
    }

    public async Task<V1Alpha1MetricsStack> WaitForInfluxAsync(string status, string reason, TimeSpan? timeout = null) =>
        (await Eventually.UntilAsync(GetStackAsync, s => Condition(s, MetricsStackConditions.InfluxDBReady) is { } c && c.Status == status && c.Reason == reason, $"InfluxDBReady={status}/{reason}", timeout))!;

    public static V1Condition? Condition(V1Alpha1MetricsStack? stack, string type) => stack?.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>Queues the stack as a resync would and waits for that reconcile to finish.</summary>
    public Task ReconcileAgainAsync() => StackReconciles.AgainAsync(Manager, Namespace, Name);

    public double Reconciles => StackReconciles.Count(Manager);

    public async Task<string?> SecretValueAsync(string name, string key)
    {
        var secret = await Admin.GetAsync<V1Secret>(Namespace, name);
        return secret?.Data is { } data && data.TryGetValue(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
    }

    public async Task<IReadOnlyList<Corev1Event>> EventsAsync()
    {
        await Manager.Events.FlushAsync(); // Events are written in the background: read after what was recorded so far is written
        return (await Admin.ListAsync<Corev1Event>(Namespace)).Items.ToList();
    }

    /// <summary>
    /// Every token and password the operator holds (from its Secrets) appears in no log line, no Event, and not in the
    /// stack's status or spec.
    /// </summary>
    public async Task AssertNoSecretLeakedAsync()
    {
        var secrets = new List<string>();
        foreach (var (name, key) in new[] { ($"{Name}-influxdb-admin", StackNames.AdminTokenKey), ($"{Name}-influxdb-admin", StackNames.AdminPasswordKey), ($"{Name}-telegraf-token", StackNames.TokenKey), ($"{Name}-grafana-token", StackNames.TokenKey) })
        {
            if (await SecretValueAsync(name, key) is { } value)
            {
                secrets.Add(value);
            }
        }

        secrets.Count.ShouldBeGreaterThan(0, "there are secrets to look for");
        var logs = Logs.Lines;
        logs.Count.ShouldBeGreaterThan(0);
        var events = string.Join("\n", (await EventsAsync()).Select(e => $"{e.Reason} {e.Message}"));
        var stack = KubernetesJson.Serialize(await GetStackAsync());
        foreach (var secret in secrets)
        {
            logs.ShouldNotContain(l => l.Contains(secret, StringComparison.Ordinal), "a log line holds a secret");
            events.ShouldNotContain(secret);
            stack.ShouldNotContain(secret);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (services is not null)
        {
            await KillAsync();
        }

        Admin.Dispose();
    }
}


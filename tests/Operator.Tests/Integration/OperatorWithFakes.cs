using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Jobs;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.Grafana;
using MetricsOperator.Hosting;
using MetricsOperator.Influx;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Hosting;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Influx;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using MetricsOperator.Tests.Backup;
using MetricsOperator.TestSupport.Kubelet;

namespace MetricsOperator.Tests.Integration;

/// <summary>Sends the operator to the in-process InfluxDB and Grafana fakes instead of the Services no pod serves.</summary>
internal sealed class FakeStackEndpoints(InfluxFake influx, GrafanaFake grafana) : IStackEndpoints
{
    public Uri InfluxDb(V1Alpha1MetricsStack stack) => influx.BaseUri;

    public Uri Grafana(V1Alpha1MetricsStack stack) => grafana.BaseUri;
}

/// <summary>
/// The whole operator as it runs, in a generic host: its own DI registration (<see cref="OperatorControllers"/>), the
/// runtime Manager and every hosted service (so the backup scheduler loop runs as in production), authenticated as the
/// operator's ServiceAccount (only the generated RBAC), watching one namespace. InfluxDB and Grafana are the fakes,
/// the backup destination, when a test gives one, is s3rver. The backup side reads <see cref="Clock"/> (the only services that take a
/// <see cref="TimeProvider"/> from DI are the backup scheduler, runner and step), so a test moves time past a cron
/// schedule instead of waiting for it; the scheduler loop itself ticks in real time, every 200 ms.
/// </summary>
internal sealed class OperatorWithFakes : IAsyncDisposable
{
    public const string Name = "metrics";

    /// <summary>The Secret with the S3 credentials, named by <c>destination.s3.credentialsSecret</c>.</summary>
    public const string S3Secret = "backup-s3";

    private readonly ControlPlane plane;
    private IHost? host;
    private KubeletStandIn? kubelet;
    private bool ownsGrafana = true;
    private MetricsOperator.Alerts.AlertSyncOptions? alertOptions;

    private OperatorWithFakes(ControlPlane plane, string ns, InfluxFake influx, GrafanaFake grafana, S3rverFixture? s3, ManualClock clock)
    {
        this.plane = plane;
        Namespace = ns;
        Influx = influx;
        Grafana = grafana;
        S3 = s3;
        Clock = clock;
        Prefix = $"{ns}/";
        AdminClient = plane.CreateClient(Identity.Admin);
        Admin = new KubeApi(AdminClient, ownsClient: true);
    }

    public string Namespace { get; }

    public InfluxFake Influx { get; }

    public GrafanaFake Grafana { get; }

    /// <summary>The backup destination; null when the test runs no S3 backup.</summary>
    public S3rverFixture? S3 { get; }

    public ManualClock Clock { get; }

    /// <summary>The stack's destination prefix in s3rver's bucket, unique per test.</summary>
    public string Prefix { get; }

    public KubeApi Admin { get; }

    /// <summary>The same admin identity through KubernetesClient's generated client (the kubelet stand-in's).</summary>
    public Kubernetes AdminClient { get; }

    public CapturedLogs Logs { get; } = new();

    public Manager Manager => host!.Services.GetRequiredService<Manager>();

    /// <summary>
    /// Starts the fakes (Grafana seeded with one of everything a backup carries), a namespace bound like a stack
    /// namespace, with the S3 credentials (the user's Secret), and the operator. Grafana's admin login is the one the
    /// operator generates: the kubelet stand-in hands it to the Grafana fake when it starts Grafana's pod.
    /// </summary>
    /// <remarks>
    /// With <paramref name="sharedGrafana"/>, the operator is one of several (one namespace each, standing in for one
    /// cluster each) whose stacks use that one Grafana in external mode: it is neither seeded nor disposed here.
    /// </remarks>
    /// <remarks>
    /// With <paramref name="influxQlEngine"/> (a real influxd, TestSupport's RealInflux), the InfluxDB fake answers
    /// InfluxQL with it (<see cref="InfluxFake.StartNewAsync(Uri?, CancellationToken)"/>); <paramref name="alertOptions"/>
    /// replaces the AppAlert controller's defaults.
    /// </remarks>
    public static async Task<OperatorWithFakes> StartAsync(
        ControlPlane plane, S3rverFixture? s3, ManualClock clock, GrafanaFake? sharedGrafana = null, Uri? influxQlEngine = null, MetricsOperator.Alerts.AlertSyncOptions? alertOptions = null)
    {
        var influx = await InfluxFake.StartNewAsync(influxQlEngine);
        var grafana = sharedGrafana ?? await GrafanaFake.StartNewAsync();
        if (sharedGrafana is null)
        {
            grafana.AdminPassword = $"grafana-{Guid.NewGuid():N}";
            using var api = GrafanaApi(grafana);
            await GrafanaSeed.FillAsync(api);
        }

        var ns = await plane.CreateNamespaceAsync("backup");
        await ClusterSetup.BindStackNamespaceAsync(plane, ns);
        var op = new OperatorWithFakes(plane, ns, influx, grafana, s3, clock) { ownsGrafana = sharedGrafana is null, alertOptions = alertOptions };
        if (s3 is not null)
        {
            await op.CreateSecretAsync(S3Secret, new()
            {
                [S3Settings.AccessKeyIdKey] = "S3RVER",
                [S3Settings.SecretAccessKeyKey] = "S3RVER",
            });
        }

        await op.StartOperatorAsync();
        return op;
    }

    /// <summary>Grafana's HTTP API as its admin, for the test's own changes.</summary>
    public static GrafanaConfigApi GrafanaApi(GrafanaFake grafana) =>
        new(grafana.BaseUri, GrafanaCredentials.Basic(grafana.AdminUser, grafana.AdminPassword), TimeSpan.FromSeconds(10));

    /// <summary>The stack's destination in s3rver through the production S3 client, for reading what the operator wrote.</summary>
    public S3BackupDestination Destination() => new((S3 ?? throw new InvalidOperationException("started without s3rver")).Settings(Prefix));

    /// <summary>
    /// Creates the stack with Grafana backed up every minute and InfluxDB on <paramref name="influxSchedule"/> (no
    /// InfluxDB backup when null), both to s3rver under <see cref="Prefix"/>, and starts playing the workload
    /// controllers.
    /// </summary>
    public async Task<V1Alpha1MetricsStack> CreateStackAsync(string? influxSchedule, string? grafanaClaim = null)
    {
        var destination = new
        {
            s3 = new { bucket = S3rverFixture.Bucket, prefix = Prefix, endpoint = (S3 ?? throw new InvalidOperationException("started without s3rver")).Endpoint.AbsoluteUri, credentialsSecret = new { name = S3Secret } },
        };
        object grafanaDestination = grafanaClaim is null ? destination : new { pvc = new { claimName = grafanaClaim } };
        object backup = influxSchedule is null
            ? new { grafana = new { interval = "1m", destination = grafanaDestination } }
            : new { grafana = new { interval = "1m", destination }, influxdb = new { schedule = influxSchedule, destination } };
        return await CreateStackWithSpecAsync(new { backup });
    }

    /// <summary>Creates the stack with <paramref name="spec"/> (serialized as JSON) and starts playing the workload controllers.</summary>
    public async Task<V1Alpha1MetricsStack> CreateStackWithSpecAsync(object spec)
    {
        var json = JsonSerializer.Serialize(new { apiVersion = "metrics.lsst.io/v1alpha1", kind = "MetricsStack", metadata = new { name = Name, @namespace = Namespace }, spec });
        var created = (await Admin.CreateAsync(KubernetesJson.Deserialize<V1Alpha1MetricsStack>(json)))!;
        kubelet ??= StartKubelet();
        return created;
    }

    /// <summary>Creates a PersistentVolumeClaim in the stack's namespace (a backup destination; nothing binds it here).</summary>
    public Task<V1PersistentVolumeClaim?> CreateClaimAsync(string name) =>
        Admin.CreateAsync(new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
            },
        });

    /// <summary>Queues the stack as a resync would, and waits until that reconcile finished.</summary>
    public Task ReconcileAgainAsync() => StackReconciles.AgainAsync(Manager, Namespace, Name);

    public Task<V1Alpha1MetricsStack?> GetStackAsync() => Admin.GetAsync<V1Alpha1MetricsStack>(Namespace, Name);

    public static V1Condition? Condition(V1Alpha1MetricsStack? stack, string type) => stack?.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>Waits until the stack, read through the API server, has BackupReady=<paramref name="status"/>/<paramref name="reason"/> and <paramref name="also"/> holds.</summary>
    public async Task<V1Alpha1MetricsStack> WaitForBackupAsync(string status, string reason, Func<V1Alpha1MetricsStack, bool>? also = null, string? what = null, TimeSpan? timeout = null) =>
        (await Eventually.UntilAsync(
            GetStackAsync,
            s => Condition(s, MetricsStackConditions.BackupReady) is { } c && c.Status == status && c.Reason == reason && (also?.Invoke(s) ?? true),
            $"BackupReady={status}/{reason}{(what is null ? "" : " and " + what)}",
            timeout))!;

    public async Task<IReadOnlyList<Corev1Event>> EventsAsync()
    {
        await Manager.Events.FlushAsync(); // Events are written in the background: read after what was recorded so far is written
        return (await Admin.ListAsync<Corev1Event>(Namespace)).Items.ToList();
    }

    public async Task<string?> SecretValueAsync(string name, string key)
    {
        var secret = await Admin.GetAsync<V1Secret>(Namespace, name);
        return secret?.Data is { } data && data.TryGetValue(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
    }

    /// <summary>Writes points to the stack's bucket as Telegraf does, with the write token the operator minted for it.</summary>
    public async Task WriteAsTelegrafAsync(string lines)
    {
        var token = await SecretValueAsync(StackNames.TelegrafTokenSecret(new V1Alpha1MetricsStack { Metadata = new V1ObjectMeta { Name = Name } }), StackNames.TokenKey);
        token.ShouldNotBeNull("the operator minted Telegraf's write token");
        await InfluxWrites.WriteAsync(Influx, token, lines, org: "rubin");
    }

    /// <summary>
    /// The S3 secret key, every InfluxDB token and password the operator keeps in its Secrets, and Grafana's admin
    /// password appear in no log line the operator wrote, no Event in the namespace, and nowhere in the stack.
    /// </summary>
    /// <param name="loggedWork">A fragment of a log line the work under test writes: the logs looked at are the right ones.</param>
    /// <param name="more">Other secret values the test put in Secrets.</param>
    public async Task AssertNoSecretLeakedAsync(string loggedWork = "Backup grafana of MetricsStack", params string[] more)
    {
        var secrets = new List<string>(more) { Grafana.AdminPassword };
        if (S3 is not null)
        {
            secrets.Add((await SecretValueAsync(S3Secret, S3Settings.SecretAccessKeyKey)).ShouldNotBeNull());
        }

        var probe = new V1Alpha1MetricsStack { Metadata = new V1ObjectMeta { Name = Name } };
        foreach (var (name, key) in new[]
        {
            (StackNames.InfluxDbAdminSecret(probe), StackNames.AdminTokenKey), (StackNames.InfluxDbAdminSecret(probe), StackNames.AdminPasswordKey),
            (StackNames.TelegrafTokenSecret(probe), StackNames.TokenKey), (StackNames.GrafanaTokenSecret(probe), StackNames.TokenKey),
        })
        {
            secrets.Add((await SecretValueAsync(name, key)).ShouldNotBeNull($"{name} has {key}"));
        }

        var logs = Logs.Lines;
        logs.Count.ShouldBeGreaterThan(0);
        logs.ShouldContain(l => l.Contains(loggedWork, StringComparison.Ordinal), "the work under test was logged: the logs looked at are the right ones");
        var events = (await EventsAsync()).Select(e => $"{e.Reason} {e.Message}").ToList();
        events.Count.ShouldBeGreaterThan(0);
        var stack = KubernetesJson.Serialize(await GetStackAsync());
        foreach (var secret in secrets)
        {
            logs.ShouldNotContain(l => l.Contains(secret, StringComparison.Ordinal), "a log line holds a secret");
            events.ShouldNotContain(e => e.Contains(secret, StringComparison.Ordinal), "an Event holds a secret");
            stack.ShouldNotContain(secret, Case.Sensitive, "the stack holds a secret");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (kubelet is not null)
        {
            await kubelet.DisposeAsync();
        }

        if (host is not null)
        {
            await host.StopAsync();
            host.Dispose();
        }

        Admin.Dispose();
        await Influx.DisposeAsync();
        if (ownsGrafana)
        {
            await Grafana.DisposeAsync();
        }
    }

    /// <summary>Builds and starts the operator's host as Program does, minus the web endpoints.</summary>
    private async Task StartOperatorAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddControllerRuntime(new ManagerOptions { Namespace = Namespace, Workers = 1 }, plane.ClientConfiguration(Identity.Operator));
        builder.Services.AddSingleton(_ => new RuntimeMetrics(Prometheus.Metrics.NewCustomRegistry()));
        builder.Services.AddSingleton<IStackEndpoints>(new FakeStackEndpoints(Influx, Grafana));
        builder.Services.AddSingleton(new InfluxClientOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(2),
            Retries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            UnreachableBackoffBase = TimeSpan.FromMilliseconds(200),
            UnreachableBackoffMax = TimeSpan.FromSeconds(2),
        });
        builder.Services.AddSingleton(new BackupSchedulerOptions { Tick = TimeSpan.FromMilliseconds(200) });
        builder.Services.AddSingleton(new BackupJobOptions { Image = "ghcr.io/lsst-sqre/metrics-operator:test", PollInterval = TimeSpan.FromMilliseconds(100) });
        builder.Services.AddSingleton<TimeProvider>(Clock);
        if (alertOptions is not null)
        {
            builder.Services.AddSingleton(alertOptions);
        }

        OperatorControllers.Register(builder.Services);
        host = builder.Build();
        await host.StartAsync();
        await Eventually.UntilAsync(() => Task.FromResult(Manager.IsReady), "the operator's caches synced");
    }

    /// <summary>
    /// The cluster's part (there is no kubelet here): the kubelet stand-in starts a workload's pods only when a kubelet
    /// would (every Secret, key and claim they reference exists, restricted Pod Security), and Grafana's pod, when it
    /// starts, sets the Grafana fake's admin login from its environment as Grafana does on its first start.
    /// </summary>
    /// <summary>The kubelet stand-in (and the garbage collector's part it plays), once a stack was created.</summary>
    public KubeletStandIn? Kubelet => kubelet;

    private KubeletStandIn StartKubelet() =>
        new KubeletStandIn(AdminClient, Namespace, async pod =>
        {
            StartedPods.Enqueue(pod);
            await GrafanaStarts(Grafana)(pod);
        }).Start();

    /// <summary>Every pod the kubelet stand-in started, in order (a pod restarted with a new template appears again).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<StartedPod> StartedPods { get; } = new();

    /// <summary>Hands Grafana's pod, when it starts, to the Grafana fake (its admin login comes from the pod's environment).</summary>
    public static Func<StartedPod, Task> GrafanaStarts(GrafanaFake grafana) => pod =>
    {
        if (pod.Labels.TryGetValue(StackLabels.Name, out var name) && name == StackLabels.Grafana && pod.Environment.TryGetValue("grafana", out var env))
        {
            grafana.StartedWith(env);
        }

        return Task.CompletedTask;
    };

    /// <summary>
    /// The PV controller's part (there is none here): the claim is bound with <paramref name="capacity"/>, written to its
    /// status as that controller (and, after a resize, the volume's driver) would.
    /// </summary>
    public Task<V1PersistentVolumeClaim?> BindClaimAsync(string claim, string capacity) =>
        Admin.PatchAsync<V1PersistentVolumeClaim>(Namespace, claim, PatchType.Merge,
            JsonSerializer.Serialize(new { status = new { phase = "Bound", accessModes = new[] { "ReadWriteOnce" }, capacity = new { storage = capacity } } }), subresource: "status");

    public async Task CreateSecretAsync(string name, Dictionary<string, string> data) =>
        await Admin.CreateAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Data = data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetBytes(d.Value)),
        });
}

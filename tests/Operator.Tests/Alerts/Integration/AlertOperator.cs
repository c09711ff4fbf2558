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

/// <summary>
/// Sends the operator to the Grafana fake instead of the Service no pod serves; an external Grafana keeps the URL its spec
/// gives, as in the cluster (a second stack may point at a second fake).
/// </summary>
internal sealed class FakeEndpoints(GrafanaFake grafana) : IStackEndpoints
{
    public Uri InfluxDb(V1Alpha1MetricsStack stack) => new("http://127.0.0.1:1");

    public Uri Grafana(V1Alpha1MetricsStack stack) =>
        stack.Spec?.Grafana is { Mode: GrafanaMode.External, Url: { Length: > 0 } url } ? new Uri(url) : grafana.BaseUri;
}

/// <summary>
/// The AppAlert controller as the operator registers it (OperatorControllers.AddAlerting), run by the real runtime
/// Manager as the operator's ServiceAccount, against the Grafana fake; one namespace per test holding a MetricsStack
/// with an external Grafana (the fake), an environment (external mode requires one) and the user's credentials Secret,
/// whose status the test writes in the shape the stack's reconciler does (no MetricsStack controller runs). Before it
/// writes a Ready status the harness runs the operator's own <see cref="StackValidation"/> on the stack as stored, and
/// throws (naming the field) where the stack's reconciler would report <c>Ready=False InvalidSpec</c> instead: a test
/// may not start from a stack the product would refuse.
/// </summary>
internal sealed class AlertOperator : IAsyncDisposable
{
    public const string StackName = "metrics";

    /// <summary>The environment of the harness's stacks unless a test names another.</summary>
    public const string DefaultEnvironment = "test";

    private readonly ControlPlane plane;
    private readonly TimeSpan resyncPeriod;
    private readonly AlertSyncOptions options;
    private readonly bool ownsGrafana;
    private readonly string? environment;
    private ServiceProvider? services;
    private CancellationTokenSource? stop;
    private Task? run;

    private AlertOperator(ControlPlane plane, GrafanaFake grafana, bool ownsGrafana, string? environment, string ns, TimeSpan resyncPeriod, AlertSyncOptions options)
    {
        this.plane = plane;
        Grafana = grafana;
        this.ownsGrafana = ownsGrafana;
        this.environment = environment;
        Namespace = ns;
        this.resyncPeriod = resyncPeriod;
        this.options = options;
        Admin = plane.CreateClient(Identity.Admin);
    }

    public GrafanaFake Grafana { get; }

    public string Namespace { get; }

    public Kubernetes Admin { get; }

    /// <summary>The stack's spec.environment: every Grafana identity the operator makes for it carries it.</summary>
    public string? Environment => environment;

    public Manager Manager => services!.GetRequiredService<Manager>();

    /// <summary>
    /// Starts an operator in a new namespace (or <paramref name="namespace"/>, made when missing) with its own Grafana
    /// fake, or with <paramref name="sharedGrafana"/> — a central Grafana the test owns and other operators (other
    /// environments) also write to; its stack carries <paramref name="environment"/> as spec.environment.
    /// </summary>
    /// <exception cref="InvalidOperationException">The stack would be refused by the operator's validation (e.g. no environment).</exception>
    public static async Task<AlertOperator> StartAsync(
        ControlPlane plane, TimeSpan? resyncPeriod = null, AlertSyncOptions? options = null, bool stackStatus = true,
        GrafanaFake? sharedGrafana = null, string? environment = DefaultEnvironment, string? @namespace = null)
    {
        // Refused before anything is made: nothing is left to dispose when a test asks for a stack the product refuses.
        EnsureValid(ExternalStack(StackName, @namespace ?? "alerts", environment, new Uri("http://grafana.invalid/"), CredentialsSecret));
        var grafana = sharedGrafana ?? await GrafanaFake.StartNewAsync();
        var ns = @namespace ?? await plane.CreateNamespaceAsync("alerts");
        if (@namespace is not null)
        {
            await plane.EnsureNamespaceAsync(@namespace);
        }

        await ClusterSetup.BindStackNamespaceAsync(plane, ns);
        var op = new AlertOperator(plane, grafana, sharedGrafana is null, environment, ns, resyncPeriod ?? TimeSpan.FromMinutes(10), options ?? new AlertSyncOptions
        {
            OutageBackoffBase = TimeSpan.FromMilliseconds(200),
            OutageBackoffMax = TimeSpan.FromSeconds(1),
            Client = new GrafanaClientOptions { AttemptTimeout = TimeSpan.FromMilliseconds(500), MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(20) },
        });
        await op.CreateStackAsync(stackStatus);
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

    /// <summary>Merge-patches the stack's spec, as a user editing the MetricsStack would.</summary>
    public async Task PatchStackSpecAsync(object spec) =>
        await Admin.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(JsonSerializer.Serialize(new { spec }), V1Patch.PatchType.MergePatch), ApiGroup.Name, ApiGroup.Version, Namespace, "metricsstacks", StackName);

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

    /// <summary>How many reconciles the AppAlert controller finished (any result), from the runtime's metrics.</summary>
    public double AppAlertReconciles()
    {
        var metrics = services!.GetRequiredService<RuntimeMetrics>();
        return new[] { "success", "requeue", "requeue_after", "error" }.Sum(result => metrics.ReconcileTotal.WithLabels(AppAlertReconciler.ControllerName, result).Value);
    }

    /// <summary>Warning Events recorded about the AppAlert <paramref name="name"/>, repeats counted.</summary>
    public async Task<int> WarningEventsAsync(string name)
    {
        var events = await Admin.CoreV1.ListNamespacedEventAsync(Namespace, fieldSelector: $"involvedObject.name={name}");
        return events.Items.Where(e => e.Type == "Warning").Sum(e => e.Count ?? 1);
    }

    public async ValueTask DisposeAsync()
    {
        if (run is not null && !run.IsCompleted)
        {
            await StopAsync();
        }

        Admin.Dispose();
        if (ownsGrafana)
        {
            await Grafana.DisposeAsync();
        }
    }

    /// <summary>The user-made Secret with the external Grafana's credentials (not a name the operator owns).</summary>
    public const string CredentialsSecret = "grafana-credentials";

    // The stack points at the fake as an external Grafana (spec.grafana.mode external), with credentials the user
    // provides: the harness creates nothing the operator would own (the managed mode's admin Secret is the operator's).
    private Task CreateStackAsync(bool reportStatus) => CreateStackAsync(StackName, Grafana, CredentialsSecret, reportStatus);

    /// <summary>Another stack in the test namespace, with its own external Grafana (<paramref name="grafana"/>) and credentials, reported ready.</summary>
    public Task CreateOtherStackAsync(string name, GrafanaFake grafana) => CreateStackAsync(name, grafana, name + "-grafana-credentials", reportStatus: true);

    private async Task CreateStackAsync(string name, GrafanaFake grafana, string credentialsSecret, bool reportStatus)
    {
        await Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = credentialsSecret },
            Data = new Dictionary<string, byte[]>
            {
                [StackNames.GrafanaUserKey] = Encoding.UTF8.GetBytes(grafana.AdminUser),
                [StackNames.GrafanaPasswordKey] = Encoding.UTF8.GetBytes(grafana.AdminPassword),
            },
        }, Namespace);
        var stack = ExternalStack(name, Namespace, environment, grafana.BaseUri, credentialsSecret);
        EnsureValid(stack);
        await Admin.CustomObjects.CreateNamespacedCustomObjectAsync(stack, ApiGroup.Name, ApiGroup.Version, Namespace, "metricsstacks");
        if (reportStatus)
        {
            await SetStackStatusAsync(name: name);
        }
    }

    /// <summary>
    /// Writes the stack's status as its reconciler would for an external Grafana (no MetricsStack controller runs here):
    /// the component conditions from <see cref="StackStatusReporter.Report"/> over InfluxDB's StatefulSet and Telegraf's
    /// Deployment with <paramref name="influxDbReplicasReady"/> / 1 replicas ready, and AlertingReady as the alerting step
    /// reports a stack without contact points, at <paramref name="generation"/> (by default the stored stack's). The stack is read back first and checked as its reconciler checks it
    /// (<see cref="StackValidation.Validate"/> and the Secrets it names): a spec the reconciler would refuse throws.
    /// </summary>
    /// <exception cref="InvalidOperationException">The stored stack would be refused (the message names the fields).</exception>
    public async Task SetStackStatusAsync(int influxDbReplicasReady = 1, string name = StackName, long? generation = null)
    {
        var stack = Convert<V1Alpha1MetricsStack>(await Admin.CustomObjects.GetNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, Namespace, "metricsstacks", name));
        EnsureValid(stack);
        await EnsureSecretsAsync(stack);
        var influx = new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = StackNames.InfluxDb(stack), Generation = 1 },
            Spec = new V1StatefulSetSpec { Replicas = 1 },
            Status = new V1StatefulSetStatus { ObservedGeneration = 1, Replicas = 1, UpdatedReplicas = 1, ReadyReplicas = influxDbReplicasReady },
        };
        var telegraf = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = StackNames.Telegraf(stack), Generation = 1 },
            Spec = new V1DeploymentSpec { Replicas = 1 },
            Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = 1, UpdatedReplicas = 1, AvailableReplicas = 1 },
        };
        var reports = StackStatusReporter.Report(DefaultedStack.Of(stack), new ObservedChildren(influx, telegraf, null)).ToList();
        reports.Add(new ConditionReport(MetricsStackConditions.AlertingReady, "True", "NoContactPoints", "No contact points declared: Grafana's own routing is left alone"));
        var conditions = new List<V1Condition>();
        foreach (var report in reports)
        {
            MetricsOperator.Runtime.Conditions.ConditionSet.Set(conditions, report.Type, report.Status, report.Reason, report.Message, generation ?? stack.Metadata.Generation ?? 1);
        }

        var status = new { status = new { conditions } };
        await Admin.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(KubernetesJson.Serialize(status), V1Patch.PatchType.MergePatch), ApiGroup.Name, ApiGroup.Version, Namespace, "metricsstacks", name);
    }

    /// <summary>An external-mode stack pointing at <paramref name="grafana"/> with the user's credentials Secret.</summary>
    private static V1Alpha1MetricsStack ExternalStack(string name, string ns, string? environment, Uri grafana, string credentialsSecret) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new MetricsStackSpec
        {
            Environment = environment,
            Grafana = new GrafanaSpec { Mode = GrafanaMode.External, Url = grafana.ToString(), CredentialsSecret = new SecretReference { Name = credentialsSecret } },
        },
    };

    // The product's own spec checks (what MetricsStackReconciler.CheckSpecAsync runs first), so harness and product
    // cannot disagree about which stacks may become Ready.
    private static void EnsureValid(V1Alpha1MetricsStack stack) => Refuse(stack, StackValidation.Validate(DefaultedStack.Of(stack)));

    // The Secrets the spec names, looked up as the reconciler does (a GET each) and judged by its MissingSecrets.
    private async Task EnsureSecretsAsync(V1Alpha1MetricsStack stack)
    {
        var uses = StackValidation.SecretUses(DefaultedStack.Of(stack));
        var found = new Dictionary<string, V1Secret?>(StringComparer.Ordinal);
        foreach (var secret in uses.Select(u => u.Name).Distinct(StringComparer.Ordinal))
        {
            try
            {
                found[secret] = await Admin.CoreV1.ReadNamespacedSecretAsync(secret, Namespace);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                found[secret] = null;
            }
        }

        Refuse(stack, StackValidation.MissingSecrets(Namespace, uses, found));
    }

    private static void Refuse(V1Alpha1MetricsStack stack, IReadOnlyList<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(
                $"The harness will not fake a Ready status for MetricsStack {stack.Metadata.Name}: the operator refuses it ({string.Join("; ", errors)})");
        }
    }

    private static T Convert<T>(object o) => KubernetesJson.Deserialize<T>(JsonSerializer.Serialize(o));
}


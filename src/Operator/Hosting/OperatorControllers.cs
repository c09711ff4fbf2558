using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Backup.Jobs;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Crds;
using MetricsOperator.Influx;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Hosting;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks.Steps;
using MetricsOperator.Stacks.Storage;
using MetricsOperator.Stacks.WriteAccess;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MetricsOperator.Hosting;

/// <summary>
/// The operator's controllers, registered in one place. Each reconciler declares the RBAC it
/// needs next to itself; <c>generate rbac</c> collects those declarations.
/// </summary>
internal static class OperatorControllers
{
    /// <summary>Names of the controllers <see cref="Register"/> adds, for the startup summary.</summary>
    public static IReadOnlyList<string> Names { get; } = [MetricsStackReconciler.ControllerName, AppAlertReconciler.ControllerName];

    /// <summary>Adds every controller to the service collection.</summary>
    public static void Register(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(StackBuildOptions.Default);
        services.TryAddSingleton<IStackEndpoints, ClusterStackEndpoints>();
        services.TryAddSingleton(sp => new StorageUsageSampler(sp.GetRequiredService<IStackEndpoints>(), sp.GetService<TimeProvider>(), logger: sp.GetService<ILogger<StorageUsageSampler>>()));
        services.TryAddSingleton(sp => new StorageMetrics(sp.GetRequiredService<MetricsOperator.Runtime.Metrics.RuntimeMetrics>()));
        AddInfluxDb(services);
        services.AddSingleton(sp => new ControllerRuntimeHosting.ControllerRegistration(b => b.For<V1Alpha1MetricsStack>()
            .Named(MetricsStackReconciler.ControllerName)
            .Owns<V1StatefulSet>()
            .Owns<V1Deployment>()
            .Owns<V1Service>()
            .Owns<V1ConfigMap>()
            .Owns<V1PersistentVolumeClaim>()
            .Owns<V1NetworkPolicy>()
            .Owns<V1Ingress>()
            // The notification policy (the alerting step) routes each AppAlert naming a contact point there, so a new,
            // edited or deleted one must wake its stack; one without a contact point is not in the policy and wakes
            // nothing. The map reads the manager's cache when events arrive. Only what the policy reads (contact point,
            // app, stackRef): an AppAlert's status never wakes its stack.
            .Watches<V1Alpha1AppAlert>(
                alert => MetricsOperator.Alerts.Routing.AlertRouting.HasRoute(alert) ? AppAlertController.StacksOf(sp.GetRequiredService<Manager>(), alert) : [],
                updateMatters: MetricsOperator.Alerts.Routing.AlertRouting.RoutingChanged)
            // A namespace labelled metrics.lsst.io/write-token=<stack> gets the listener token and a path through the
            // listener's NetworkPolicy. Only labelled namespaces are cached; a label dropped reaches the watch as a delete.
            .Watches<V1Namespace>(ns => WriteAccessMapping.StacksFor(sp.GetRequiredService<Manager>(), ns), labelSelector: WriteTokenSecrets.OptInLabel, updateMatters: WriteAccessMapping.OptInChanged)
            .WithFinalizer<MetricsStackFinalizer>()
            .Complete<MetricsStackReconciler>()));
        AddAlerting(services);
        AddBackups(services);
    }

    /// <summary>
    /// Scheduled backups: the scheduler loop (runs off the reconcile workers) and the BackupReady step, registered last
    /// so a failing backup stops no other step.
    /// </summary>
    internal static void AddBackups(IServiceCollection services)
    {
        services.TryAddSingleton<IStackEndpoints, ClusterStackEndpoints>();
        services.TryAddSingleton<BackupResults>();
        services.TryAddSingleton<IBackupSources>(sp => new ClusterBackupSources(sp.GetRequiredService<MetricsOperator.Runtime.Client.KubeApi>(), sp.GetRequiredService<IStackEndpoints>()));
        services.TryAddSingleton(sp => new BackupMetrics(sp.GetRequiredService<MetricsOperator.Runtime.Metrics.RuntimeMetrics>()));
        // Object storage is written from the operator's process; a PersistentVolumeClaim by a Job per run that mounts it.
        services.TryAddSingleton(BackupJobOptions.Default);
        services.TryAddSingleton<IBackupRunner>(sp => new DestinationBackupRunner(
            new InProcessBackupRunner(sp.GetRequiredService<IBackupSources>(), sp.GetService<TimeProvider>()),
            new PvcJobBackupRunner(sp.GetRequiredService<MetricsOperator.Runtime.Client.KubeApi>(), sp.GetRequiredService<IStackEndpoints>(),
                sp.GetRequiredService<BackupJobOptions>(), sp.GetService<TimeProvider>(), sp.GetService<ILogger<PvcJobBackupRunner>>())));
        services.TryAddSingleton(sp => new BackupScheduler(
            sp.GetRequiredService<IBackupRunner>(), sp.GetRequiredService<BackupResults>(), sp.GetRequiredService<BackupMetrics>(),
            sp.GetService<MetricsOperator.Runtime.Events.IEventRecorder>(), sp.GetService<TimeProvider>(), sp.GetService<ILogger<BackupScheduler>>())
        {
            // A finished run changes what BackupReady and status.backup report: reconcile the stack now, as a watch
            // event would, instead of at the step's next requeue (the manager is resolved when a run finishes).
            RunFinished = stack => MetricsStackReconciler.Enqueue(sp.GetRequiredService<Manager>(), stack),
        });
        services.AddHostedService<BackupSchedulerService>();
        services.AddSingleton<IStackStep>(sp => new BackupStep(sp.GetRequiredService<BackupResults>(), sp.GetService<TimeProvider>()));
    }

    /// <summary>The InfluxDB wiring: the first of the MetricsStack's steps (later steps need its bucket and tokens).</summary>
    private static void AddInfluxDb(IServiceCollection services)
    {
        services.TryAddSingleton<IStackEndpoints, ClusterStackEndpoints>();
        services.TryAddSingleton(InfluxClientOptions.Default);
        services.TryAddSingleton<IInfluxApiFactory>(sp => new InfluxApiFactory(sp.GetRequiredService<InfluxClientOptions>()));
        services.AddSingleton<IStackStep, InfluxBootstrapStep>();
    }

    /// <summary>The AppAlert controller and what it shares with the alerting stack step.</summary>
    internal static void AddAlerting(IServiceCollection services)
    {
        services.TryAddSingleton<IStackEndpoints, ClusterStackEndpoints>();
        services.TryAddSingleton(AlertSyncOptions.Default);
        services.TryAddSingleton(sp => new GrafanaConnections(
            sp.GetRequiredService<MetricsOperator.Runtime.Client.KubeApi>(), sp.GetRequiredService<IStackEndpoints>(), sp.GetRequiredService<AlertSyncOptions>(),
            loggers: sp.GetService<ILoggerFactory>()));
        // One verdict cache per process: a resync, or another AppAlert with the same query, asks InfluxDB nothing again.
        services.TryAddSingleton(sp => new MetricsOperator.Alerts.QueryChecks.StackQueryChecks(
            sp.GetRequiredService<MetricsOperator.Runtime.Client.KubeApi>(), sp.GetRequiredService<IStackEndpoints>(),
            new MetricsOperator.Alerts.QueryChecks.QueryVerdictCache(noDataRecheck: sp.GetRequiredService<AlertSyncOptions>().QueryChecks.NoDataRecheck),
            sp.GetRequiredService<AlertSyncOptions>()));
        // After the InfluxDB step (its read token): an external Grafana's datasources (GrafanaReady), removed with the stack.
        services.AddSingleton<IStackStep, MetricsOperator.Alerts.External.ExternalDatasourcesStep>();
        services.AddSingleton<IStackCleanup, MetricsOperator.Alerts.External.ExternalDatasourcesCleanup>();
        // After the InfluxDB step: contact points and the notification policy (AlertingReady).
        services.AddSingleton<IStackStep, MetricsOperator.Alerts.Routing.AlertingStep>();
        // The stack-to-AppAlerts map reads the manager's cache when events arrive, after the manager is built.
        services.AddSingleton(sp => new ControllerRuntimeHosting.ControllerRegistration(b => AppAlertController.Describe(b, sp.GetRequiredService<Manager>)));
    }
}

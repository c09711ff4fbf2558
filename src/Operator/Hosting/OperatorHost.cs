using k8s;
using MetricsOperator.Backup.Jobs;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Hosting;
using MetricsOperator.Runtime.Leader;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Hosting;

/// <summary>
/// Builds the operator's host: the controller runtime, the operator's controllers, probes and metrics. A generic host
/// with configuration from the environment and the command line only (no appsettings files to watch), so
/// <c>Logging__LogLevel__Default=Debug</c> in the pod's environment sets the log level.
/// </summary>
internal static class OperatorHost
{
    /// <summary>Builds a host that talks to the cluster in <paramref name="kubernetes"/>.</summary>
    public static IHost Build(OperatorOptions options, KubernetesClientConfiguration kubernetes, string[]? args = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args ?? []);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddControllerRuntimeConsole();
        builder.Services.AddControllerRuntime(ManagerOptionsFrom(options), kubernetes);
        builder.Services.AddSingleton(StackBuildOptions.Default with { OperatorNamespace = options.OperatorNamespace });
        builder.Services.AddSingleton(BackupJobOptions.Default with
        {
            Image = options.BackupImage,
            ImagePullPolicy = options.BackupImagePullPolicy,
            ImagePullSecrets = options.BackupImagePullSecrets,
        });
        if (options.InfluxDbUrl is not null || options.GrafanaUrl is not null)
        {
            builder.Services.AddSingleton<IStackEndpoints>(new OverriddenStackEndpoints(options.InfluxDbUrl, options.GrafanaUrl, new ClusterStackEndpoints()));
        }

        if (!options.QueryChecks)
        {
            builder.Services.AddSingleton(MetricsOperator.Alerts.AlertSyncOptions.Default with { QueryChecks = new MetricsOperator.Alerts.QueryChecks.QueryCheckOptions { Enabled = false } });
        }

        builder.Services.AddControllerRuntimeEndpoints(options.ProbeAddress);
        OperatorControllers.Register(builder.Services);
        return builder.Build();
    }

    private static ManagerOptions ManagerOptionsFrom(OperatorOptions options) => new()
    {
        Namespace = options.Namespace,
        Workers = options.Workers,
        ResyncPeriod = options.ResyncPeriod,
        LeaderElection = options.LeaderElection
            ? new LeaderElectionOptions { LeaseNamespace = options.LeaseNamespace, LeaseName = "metrics-operator-leader" }
            : null,
    };
}

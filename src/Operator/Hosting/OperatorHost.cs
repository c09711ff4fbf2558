using k8s;
using MetricsOperator.Backup.Jobs;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Hosting;
using MetricsOperator.Runtime.Leader;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using Microsoft.Extensions.Configuration.Memory;

namespace MetricsOperator.Hosting;

/// <summary>Builds the operator's web host: the controller runtime, the operator's controllers, probes and metrics.</summary>
internal static class OperatorHost
{
    /// <summary>The logging levels the host starts from (configuration and the environment override them).</summary>
    public static readonly IReadOnlyDictionary<string, string?> QuietRequestLogging = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    /// <summary>Builds a host that talks to the cluster in <paramref name="kubernetes"/>.</summary>
    public static WebApplication Build(OperatorOptions options, KubernetesClientConfiguration kubernetes, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);

        // ASP.NET Core logs four Information lines per request: every kubelet probe and Prometheus scrape, a few a
        // second in a pod, burying what the controllers say. Its warnings and errors stay. A default, first among the
        // configuration sources, so `Logging__LogLevel__Microsoft.AspNetCore=Information` in the environment wins.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = QuietRequestLogging });
        builder.Logging.AddControllerRuntimeConsole();
        builder.WebHost.UseUrls(options.ProbeAddress);
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

        OperatorControllers.Register(builder.Services);
        var app = builder.Build();
        app.MapControllerRuntimeEndpoints();
        return app;
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

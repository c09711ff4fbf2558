using k8s;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace MetricsOperator.Runtime.Hosting;

/// <summary>
/// Wires the runtime into a .NET generic host: the manager as a hosted service, <c>/healthz</c>, <c>/readyz</c>
/// (ready once the caches synced) and Prometheus <c>/metrics</c> (<see cref="ProbeServer"/>); JSON console logs with
/// scopes (object key and reconcile ID on every line) when stdout is not a terminal.
/// </summary>
public static class ControllerRuntimeHosting
{
    /// <summary>
    /// Registers the manager and its dependencies. The Kubernetes client comes from <paramref name="configuration"/>
    /// or, when null, from the pod's ServiceAccount (<see cref="KubernetesClientConfiguration.InClusterConfig"/>).
    /// Not KubernetesClient's <c>BuildDefaultConfig</c>: its kubeconfig reader (<c>KubernetesYaml</c>) holds YAML
    /// metadata for every model and cannot run in a Native AOT binary.
    /// </summary>
    public static IServiceCollection AddControllerRuntime(this IServiceCollection services, ManagerOptions options, KubernetesClientConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton(_ => new KubeApi(configuration ?? KubernetesClientConfiguration.InClusterConfig()));
        services.AddSingleton(_ => new RuntimeMetrics());
        services.AddSingleton(sp =>
        {
            var manager = new Manager(sp.GetRequiredService<KubeApi>(), options, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<RuntimeMetrics>(), sp);
            foreach (var registration in sp.GetServices<ControllerRegistration>())
            {
                registration.Configure(manager.NewController());
            }

            return manager;
        });
        services.AddSingleton(sp => sp.GetRequiredService<Manager>().Client);
        services.AddSingleton(sp => (Events.IEventRecorder)sp.GetRequiredService<Manager>().Events);
        services.AddHostedService<ManagerService>();
        return services;
    }

    /// <summary>Registers a controller: <c>services.AddController(b =&gt; b.For&lt;X&gt;().Owns&lt;Y&gt;().Complete&lt;XReconciler&gt;())</c>.</summary>
    public static IServiceCollection AddController(this IServiceCollection services, Action<ControllerBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddSingleton(new ControllerRegistration(configure));
    }

    /// <summary>Logs JSON lines with scopes when stdout is redirected (a pod), readable lines with scopes on a terminal.</summary>
    public static ILoggingBuilder AddControllerRuntimeConsole(this ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        if (Console.IsOutputRedirected)
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.IncludeScopes = true;
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.ColorBehavior = LoggerColorBehavior.Enabled;
            });
        }

        return logging;
    }

    /// <summary>
    /// Serves <c>/healthz</c>, <c>/readyz</c> (200 once every informer synced, 503 before) and <c>/metrics</c> at
    /// <paramref name="address"/> (<see cref="ProbeAddress"/>; an <see cref="ArgumentException"/> here when it is not one).
    /// </summary>
    public static IServiceCollection AddControllerRuntimeEndpoints(this IServiceCollection services, string address)
    {
        ArgumentNullException.ThrowIfNull(services);
        var endpoint = ProbeAddress.Parse(address);
        services.AddSingleton(sp => new ProbeServer(
            endpoint,
            () => sp.GetRequiredService<Manager>().IsReady,
            sp.GetRequiredService<RuntimeMetrics>().Registry,
            sp.GetRequiredService<ILogger<ProbeServer>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ProbeServer>());
        return services;
    }

    /// <summary>A controller description waiting for the manager.</summary>
    public sealed record ControllerRegistration(Action<ControllerBuilder> Configure);

    private sealed class ManagerService(Manager manager, IHostApplicationLifetime lifetime, ILogger<ManagerService> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await manager.RunAsync(stoppingToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A crashed manager stops the process so Kubernetes restarts it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogCritical(e, "The manager stopped unexpectedly");
                lifetime.StopApplication();
            }
        }

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
            await manager.DisposeAsync().ConfigureAwait(false);
        }
    }
}

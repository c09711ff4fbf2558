using k8s;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Prometheus;

namespace MetricsOperator.Runtime.Hosting;

/// <summary>
/// Wires the runtime into an ASP.NET Core host: the manager as a hosted service, <c>/healthz</c>, <c>/readyz</c>
/// (ready once the caches synced) and Prometheus <c>/metrics</c>; JSON console logs with scopes (object key and
/// reconcile ID on every line) when stdout is not a terminal.
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

    /// <summary>Maps <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapControllerRuntimeEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Plain request delegates: the Delegate overloads bind parameters by reflection, which Native AOT lacks.
        endpoints.MapGet("/healthz", context => PlainText(context, StatusCodes.Status200OK, "ok"));
        endpoints.MapGet("/readyz", context => context.RequestServices.GetRequiredService<Manager>().IsReady
            ? PlainText(context, StatusCodes.Status200OK, "ok")
            : PlainText(context, StatusCodes.Status503ServiceUnavailable, "caches not synced"));
        var registry = endpoints.ServiceProvider.GetRequiredService<RuntimeMetrics>().Registry;
        endpoints.MapMetrics("/metrics", registry);
        return endpoints;
    }

    private static Task PlainText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
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

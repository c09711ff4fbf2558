using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lsst.Metrics.Client;

/// <summary>Adds the metrics client to a generic host.</summary>
public static class LsstMetricsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="LsstMetricsOptions"/> from the <c>LsstMetrics</c> section of <paramref name="configuration"/>
    /// (connection settings fall back to the <c>METRICS_*</c> environment variables) and runs the client with the host:
    /// it starts when the host starts (a bad setting fails the start with a message naming it) and flushes when the
    /// host stops, within <c>ShutdownTimeout</c>.
    /// </summary>
    public static IServiceCollection AddLsstMetrics(this IServiceCollection services, IConfiguration configuration, Action<LsstMetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var builder = services.AddOptions<LsstMetricsOptions>().Bind(configuration.GetSection(LsstMetricsOptions.SectionName));
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddSingleton<LsstMetricsHostedService>();
        services.AddHostedService(sp => sp.GetRequiredService<LsstMetricsHostedService>());
        return services;
    }
}

/// <summary>Runs an <see cref="LsstMetricsClient"/> for the host's lifetime.</summary>
internal sealed class LsstMetricsHostedService(IOptions<LsstMetricsOptions> options, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    public LsstMetricsClient? Client { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            Client ??= new LsstMetricsClient(options.Value, loggerFactory.CreateLogger<LsstMetricsClient>());
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Client?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }
    }
}

using MetricsOperator.Runtime.Metrics;
using Prometheus;

namespace MetricsOperator.Backup.Scheduling;

/// <summary>
/// The backup metrics on the runtime's registry: <c>backup_last_success_timestamp_seconds</c>,
/// <c>backup_duration_seconds</c>, <c>backup_size_bytes</c> and <c>backup_consecutive_failures</c>, labelled by
/// <c>kind</c> (grafana, influxdb) and by <c>namespace</c>/<c>stack</c> (one operator serves every environment's stack).
/// The failure count is what an alert needs when a backup has never succeeded (no last-success time to age).
/// </summary>
public sealed class BackupMetrics
{
    private static readonly string[] Labels = ["kind", "namespace", "stack"];
    private readonly Gauge lastSuccess;
    private readonly Histogram duration;
    private readonly Gauge size;
    private readonly Gauge failures;

    /// <summary>Creates the metrics in <paramref name="runtime"/>'s registry.</summary>
    public BackupMetrics(RuntimeMetrics runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var factory = Prometheus.Metrics.WithCustomRegistry(runtime.Registry);
        lastSuccess = factory.CreateGauge("backup_last_success_timestamp_seconds", "Unix time of the latest successful backup.", new GaugeConfiguration { LabelNames = Labels });
        duration = factory.CreateHistogram("backup_duration_seconds", "How long a backup run took, successful or not.", new HistogramConfiguration
        {
            LabelNames = Labels,
            Buckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200],
        });
        size = factory.CreateGauge("backup_size_bytes", "Bytes written by the latest successful backup (0 when nothing had changed).", new GaugeConfiguration { LabelNames = Labels });
        failures = factory.CreateGauge("backup_consecutive_failures", "Backup runs that failed since the latest success (0 after a success).", new GaugeConfiguration { LabelNames = Labels });
    }

    /// <summary>Records a run: a success when <paramref name="succeededAt"/> is set, else the <paramref name="consecutiveFailures"/>-th failure in a row.</summary>
    public void Observe(string kind, string stackKey, TimeSpan took, DateTimeOffset? succeededAt, long bytes, int consecutiveFailures = 0)
    {
        ArgumentNullException.ThrowIfNull(stackKey);
        var slash = stackKey.IndexOf('/', StringComparison.Ordinal);
        string[] labels = [kind, stackKey[..Math.Max(slash, 0)], stackKey[(slash + 1)..]];
        duration.WithLabels(labels).Observe(took.TotalSeconds);
        failures.WithLabels(labels).Set(succeededAt is null ? consecutiveFailures : 0);
        if (succeededAt is { } at)
        {
            lastSuccess.WithLabels(labels).Set(at.ToUnixTimeMilliseconds() / 1000.0);
            size.WithLabels(labels).Set(bytes);
        }
    }
}

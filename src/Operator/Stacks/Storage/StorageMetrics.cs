using MetricsOperator.Crds;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Runtime.Reconcile;
using Prometheus;

namespace MetricsOperator.Stacks.Storage;

/// <summary>
/// <c>influxdb_storage_used_bytes</c>, <c>influxdb_storage_capacity_bytes</c> and <c>influxdb_storage_growth_bytes_per_day</c>
/// (the week's rate) per <c>namespace</c>/<c>stack</c>, on the runtime's registry: what status says, for alerting on it.
/// </summary>
public sealed class StorageMetrics
{
    private static readonly string[] Labels = ["namespace", "stack"];
    private readonly Gauge used;
    private readonly Gauge capacity;
    private readonly Gauge growth;

    /// <summary>Creates the metrics in <paramref name="runtime"/>'s registry.</summary>
    public StorageMetrics(RuntimeMetrics runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var factory = Prometheus.Metrics.WithCustomRegistry(runtime.Registry);
        used = factory.CreateGauge("influxdb_storage_used_bytes", "Bytes the shared bucket's shards use on disk (InfluxDB's storage_shard_disk_size).", new GaugeConfiguration { LabelNames = Labels });
        capacity = factory.CreateGauge("influxdb_storage_capacity_bytes", "Capacity of InfluxDB's data claim.", new GaugeConfiguration { LabelNames = Labels });
        growth = factory.CreateGauge("influxdb_storage_growth_bytes_per_day", "Growth of the bucket's bytes on disk over the last week (the last day until a week is known).", new GaugeConfiguration { LabelNames = Labels });
    }

    /// <summary>Records <paramref name="usage"/> of <paramref name="stack"/>.</summary>
    public void Observe(V1Alpha1MetricsStack stack, StorageUsageStatus usage)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(usage);
        var key = ObjectKey.Of(stack);
        string[] labels = [key.Namespace ?? "", key.Name];
        used.WithLabels(labels).Set(usage.UsedBytes ?? 0);
        capacity.WithLabels(labels).Set(usage.CapacityBytes ?? 0);
        growth.WithLabels(labels).Set(usage.WeeklyGrowthBytesPerDay ?? usage.GrowthBytesPerDay ?? 0);
    }
}

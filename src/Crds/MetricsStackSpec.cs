using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>MetricsStackSpec is the desired state of an environment's metrics stack: InfluxDB, Telegraf, Grafana and their backups.</summary>
public sealed class MetricsStackSpec
{
    /// <summary>
    /// The environment's name (a DNS label, e.g. <c>idfprod</c>), carried by every rule as the <c>environment</c> label and
    /// by every Grafana object the operator makes, so several environments can share one Grafana without colliding.
    /// Required when Grafana is external.
    /// </summary>
    [JsonPropertyName("environment")]
    [MinLength(1)]
    [MaxLength(40)]
    [Pattern(Patterns.DnsLabel)]
    public string? Environment { get; set; }

    /// <summary>The InfluxDB v2 server that keeps every app's measurements in one shared bucket.</summary>
    [JsonPropertyName("influxdb")]
    [DefaultEmptyObject]
    public InfluxDbSpec? InfluxDb { get; set; }

    /// <summary>The Telegraf deployment apps write to (InfluxDB line protocol); it forwards to InfluxDB, optionally buffering on disk or reading Kafka.</summary>
    [JsonPropertyName("telegraf")]
    [DefaultEmptyObject]
    public TelegrafSpec? Telegraf { get; set; }

    /// <summary>Grafana for dashboards and all alerting: run by the operator (managed) or an existing one (external).</summary>
    [JsonPropertyName("grafana")]
    [DefaultEmptyObject]
    public GrafanaSpec? Grafana { get; set; }

    /// <summary>Backups of Grafana's configuration and InfluxDB's data. Left out, nothing is backed up and BackupReady says so.</summary>
    [JsonPropertyName("backup")]
    public BackupSpec? Backup { get; set; }
}

using System.Text.Json.Serialization;
using k8s.Models;

namespace MetricsOperator.Crds;

/// <summary>MetricsStackStatus is the observed state of a metrics stack, written by the operator.</summary>
public sealed class MetricsStackStatus
{
    /// <summary>The metadata.generation of the spec this status describes.</summary>
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    /// <summary>
    /// Conditions of the stack: Ready (the one Argo CD and people read), InfluxDBReady, TelegrafReady,
    /// GrafanaReady, CacheReady (only while spec.grafana.cache is enabled), AlertingReady, BackupReady, WriteAccessReady, StorageReady.
    /// </summary>
    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }

    /// <summary>Where apps write and where people look.</summary>
    [JsonPropertyName("endpoints")]
    public StackEndpoints? Endpoints { get; set; }

    /// <summary>The shared InfluxDB bucket as InfluxDB reports it.</summary>
    [JsonPropertyName("bucket")]
    public BucketStatus? Bucket { get; set; }

    /// <summary>Names of the Secrets, in the stack's namespace, that hold the tokens the operator made. The tokens themselves never appear in status.</summary>
    [JsonPropertyName("secrets")]
    public StackSecrets? Secrets { get; set; }

    /// <summary>InfluxDB's storage as last sampled.</summary>
    [JsonPropertyName("influxdb")]
    public InfluxDbStatus? InfluxDb { get; set; }

    /// <summary>Where the listener's write token has been handed out (never the token itself).</summary>
    [JsonPropertyName("writeAccess")]
    public WriteAccessStatus? WriteAccess { get; set; }

    /// <summary>Outcome of the latest backups.</summary>
    [JsonPropertyName("backup")]
    public BackupStatus? Backup { get; set; }

    /// <summary>The Grafana notification objects the operator wrote for this stack, so it deletes only its own when the spec drops them.</summary>
    [JsonPropertyName("alerting")]
    public AlertingStatus? Alerting { get; set; }
}

/// <summary>Grafana names of the notification objects the operator owns (templates and mute timings have no UID to carry ownership).</summary>
public sealed class AlertingStatus
{
    /// <summary>Names of the notification templates written, as in Grafana.</summary>
    [JsonPropertyName("templates")]
    public IList<string>? Templates { get; set; }

    /// <summary>Names of the mute timings written, as in Grafana.</summary>
    [JsonPropertyName("muteTimings")]
    public IList<string>? MuteTimings { get; set; }
}

/// <summary>The stack's URLs.</summary>
public sealed class StackEndpoints
{
    /// <summary>URL apps send line protocol to (Telegraf's listener inside the cluster), e.g. <c>http://metrics-telegraf.metrics:8186</c>.</summary>
    [JsonPropertyName("write")]
    public string? Write { get; set; }

    /// <summary>URL of Grafana.</summary>
    [JsonPropertyName("grafana")]
    public string? Grafana { get; set; }
}

/// <summary>The shared bucket.</summary>
public sealed class BucketStatus
{
    /// <summary>Name of the bucket.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>InfluxDB's ID of the bucket.</summary>
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    /// <summary>The retention InfluxDB applies, as in spec (<c>0s</c> is forever).</summary>
    [JsonPropertyName("retention")]
    public string? Retention { get; set; }
}

/// <summary>Secrets the operator made for the stack.</summary>
public sealed class StackSecrets
{
    /// <summary>Secret with the InfluxDB admin token and password (spec.influxdb.existingAdminSecret when given).</summary>
    [JsonPropertyName("admin")]
    public string? Admin { get; set; }

    /// <summary>Secret with Telegraf's token, allowed to write the shared bucket only.</summary>
    [JsonPropertyName("telegrafWriteToken")]
    public string? TelegrafWriteToken { get; set; }

    /// <summary>Secret with Grafana's token, allowed to read the shared bucket only.</summary>
    [JsonPropertyName("grafanaReadToken")]
    public string? GrafanaReadToken { get; set; }

    /// <summary>
    /// InfluxDB's ID of the authorization whose token the Telegraf Secret holds (an ID, not the token). It changes
    /// when the token is replaced, and Telegraf's pods roll with it.
    /// </summary>
    [JsonPropertyName("telegrafWriteTokenID")]
    public string? TelegrafWriteTokenId { get; set; }

    /// <summary>
    /// InfluxDB's ID of the authorization whose token the Grafana Secret holds (an ID, not the token). It changes
    /// when the token is replaced, and Grafana's pods roll with it.
    /// </summary>
    [JsonPropertyName("grafanaReadTokenID")]
    public string? GrafanaReadTokenId { get; set; }
}

/// <summary>InfluxDB as the operator observes it.</summary>
public sealed class InfluxDbStatus
{
    /// <summary>How full InfluxDB's volume is and how fast it fills.</summary>
    [JsonPropertyName("storage")]
    public StorageUsageStatus? Storage { get; set; }
}

/// <summary>
/// Bytes the shared bucket's shards use on disk (InfluxDB's <c>storage_shard_disk_size</c>, summed), the data claim's
/// capacity, and the growth rate from one sample per day kept here (so an operator restart loses nothing).
/// </summary>
public sealed class StorageUsageStatus
{
    /// <summary>When InfluxDB was last asked.</summary>
    [JsonPropertyName("sampledAt")]
    public DateTime? SampledAt { get; set; }

    /// <summary>Bytes on disk of the bucket's shards.</summary>
    [JsonPropertyName("usedBytes")]
    public long? UsedBytes { get; set; }

    /// <summary>The data claim's capacity in bytes, as the claim reports it.</summary>
    [JsonPropertyName("capacityBytes")]
    public long? CapacityBytes { get; set; }

    /// <summary>usedBytes / capacityBytes, in percent.</summary>
    [JsonPropertyName("usedPercent")]
    public int? UsedPercent { get; set; }

    /// <summary>Growth over the last day, in bytes per day.</summary>
    [JsonPropertyName("growthBytesPerDay")]
    public long? GrowthBytesPerDay { get; set; }

    /// <summary>Growth over the last week, in bytes per day.</summary>
    [JsonPropertyName("weeklyGrowthBytesPerDay")]
    public long? WeeklyGrowthBytesPerDay { get; set; }

    /// <summary>The last sample of each of the last 8 days (the oldest first).</summary>
    [JsonPropertyName("daily")]
    public IList<StorageSample>? Daily { get; set; }
}

/// <summary>One usage sample.</summary>
public sealed class StorageSample
{
    /// <summary>When it was taken.</summary>
    [JsonPropertyName("time")]
    public DateTime? Time { get; set; }

    /// <summary>Bytes used then.</summary>
    [JsonPropertyName("bytes")]
    public long? Bytes { get; set; }
}

/// <summary>The listener token and its copies.</summary>
public sealed class WriteAccessStatus
{
    /// <summary>Secret, in the stack's namespace, holding the token Telegraf's listener accepts.</summary>
    [JsonPropertyName("tokenSecret")]
    public string? TokenSecret { get; set; }

    /// <summary>When the token in use was made (it changes on every rotation; Telegraf's pods roll with it).</summary>
    [JsonPropertyName("tokenCreated")]
    public DateTime? TokenCreated { get; set; }

    /// <summary>Namespaces holding a copy of the token in the Secret <c>metrics-write-token</c>, sorted.</summary>
    [JsonPropertyName("namespaces")]
    public IList<string>? Namespaces { get; set; }
}

/// <summary>Outcome of the latest backups of each part.</summary>
public sealed class BackupStatus
{
    /// <summary>The latest Grafana configuration backup.</summary>
    [JsonPropertyName("grafana")]
    public BackupRunStatus? Grafana { get; set; }

    /// <summary>The latest InfluxDB data backup.</summary>
    [JsonPropertyName("influxdb")]
    public BackupRunStatus? InfluxDb { get; set; }
}

/// <summary>Outcome of one kind of backup.</summary>
public sealed class BackupRunStatus
{
    /// <summary>Name (object key or file) of the latest snapshot written.</summary>
    [JsonPropertyName("lastSnapshot")]
    public string? LastSnapshot { get; set; }

    /// <summary>When the latest successful backup finished.</summary>
    [JsonPropertyName("lastSuccessTime")]
    public DateTime? LastSuccessTime { get; set; }

    /// <summary>Why the latest attempt failed; empty after a success.</summary>
    [JsonPropertyName("lastError")]
    public string? LastError { get; set; }
}

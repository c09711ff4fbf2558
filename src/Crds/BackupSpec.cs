using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>Backups of the stack. Each part is optional; a part left out is not backed up.</summary>
public sealed class BackupSpec
{
    /// <summary>Backups of Grafana's configuration: dashboards, folders, alert rules, contact points, notification policies.</summary>
    [JsonPropertyName("grafana")]
    public GrafanaBackupSpec? Grafana { get; set; }

    /// <summary>Backups of InfluxDB's data through its backup API, on a cron schedule (UTC).</summary>
    [JsonPropertyName("influxdb")]
    public InfluxDbBackupSpec? InfluxDb { get; set; }
}

/// <summary>What every backup has: where it goes and how many are kept.</summary>
public abstract class BackupTargetSpec
{
    /// <summary>Where the snapshots are written.</summary>
    [Required]
    [JsonPropertyName("destination")]
    public BackupDestination Destination { get; set; } = new();

    /// <summary>How many snapshots to keep; older ones are deleted after a successful backup.</summary>
    [JsonPropertyName("keep")]
    [Default(7)]
    [Minimum(1)]
    [Maximum(1000)]
    public int? Keep { get; set; }

    /// <summary>Also delete snapshots older than this many days, but never the newest one. Left out, age does not matter.</summary>
    [JsonPropertyName("maxAgeDays")]
    [Minimum(1)]
    public int? MaxAgeDays { get; set; }
}

/// <summary>Continuous backup of Grafana's configuration.</summary>
public sealed class GrafanaBackupSpec : BackupTargetSpec
{
    /// <summary>How often Grafana's configuration is exported, a duration such as <c>5m</c> (the default) or <c>1h</c>. A snapshot is written only when something changed.</summary>
    [JsonPropertyName("interval")]
    [Default("5m")]
    [Pattern(Patterns.Duration)]
    public string? Interval { get; set; }
}

/// <summary>Scheduled backup of InfluxDB's data.</summary>
public sealed class InfluxDbBackupSpec : BackupTargetSpec
{
    /// <summary>When the backup runs, in 5-field cron syntax evaluated in UTC (or @daily, @hourly, ...), e.g. <c>0 3 * * *</c> (the default, 03:00 daily).</summary>
    [JsonPropertyName("schedule")]
    [Default("0 3 * * *")]
    [Pattern(Patterns.CronSchedule)]
    public string? Schedule { get; set; }
}

/// <summary>Where backups are written: exactly one of s3 or pvc.</summary>
[ExactlyOneOf("s3", "pvc")]
public sealed class BackupDestination
{
    /// <summary>An S3-compatible object store (AWS S3, Google Cloud Storage's XML API, MinIO, ...).</summary>
    [JsonPropertyName("s3")]
    public S3Destination? S3 { get; set; }

    /// <summary>An existing PersistentVolumeClaim in the stack's namespace.</summary>
    [JsonPropertyName("pvc")]
    public PvcDestination? Pvc { get; set; }
}

/// <summary>A bucket in an S3-compatible object store.</summary>
public sealed class S3Destination
{
    /// <summary>Name of the bucket.</summary>
    [Required]
    [JsonPropertyName("bucket")]
    [MinLength(3)]
    [MaxLength(63)]
    public string Bucket { get; set; } = "";

    /// <summary>Key prefix the snapshots are written under, e.g. <c>idfdev/grafana/</c>.</summary>
    [JsonPropertyName("prefix")]
    [MaxLength(512)]
    public string? Prefix { get; set; }

    /// <summary>Endpoint URL of a non-AWS store, e.g. <c>https://storage.googleapis.com</c>. Left out, AWS S3.</summary>
    [JsonPropertyName("endpoint")]
    [Pattern(Patterns.HttpUrl)]
    public string? Endpoint { get; set; }

    /// <summary>Region of the bucket.</summary>
    [JsonPropertyName("region")]
    [Default("us-east-1")]
    [MinLength(1)]
    public string? Region { get; set; }

    /// <summary>Secret holding <c>AWS_ACCESS_KEY_ID</c> and <c>AWS_SECRET_ACCESS_KEY</c>.</summary>
    [Required]
    [JsonPropertyName("credentialsSecret")]
    public SecretReference CredentialsSecret { get; set; } = new();
}

/// <summary>A PersistentVolumeClaim backups are written to.</summary>
public sealed class PvcDestination
{
    /// <summary>Name of the PersistentVolumeClaim, in the stack's namespace.</summary>
    [Required]
    [JsonPropertyName("claimName")]
    [Pattern(Patterns.ObjectName)]
    [MaxLength(253)]
    public string ClaimName { get; set; } = "";
}

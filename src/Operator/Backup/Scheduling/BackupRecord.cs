namespace MetricsOperator.Backup.Scheduling;

/// <summary>The two kinds of backup, as in snapshot paths and metric labels.</summary>
public static class BackupKinds
{
    /// <summary>Grafana's configuration.</summary>
    public const string Grafana = "grafana";

    /// <summary>InfluxDB's data.</summary>
    public const string InfluxDb = "influxdb";
}

/// <summary>Reasons of BackupReady and of backup Events.</summary>
public static class BackupReasons
{
    /// <summary>The latest runs succeeded.</summary>
    public const string Succeeded = "Succeeded";

    /// <summary>spec.backup is absent: nothing to back up (the condition is True).</summary>
    public const string NotConfigured = "NotConfigured";

    /// <summary>Configured, first run not done yet (the condition is True).</summary>
    public const string Scheduled = "Scheduled";

    /// <summary>The destination could not be reached or refused.</summary>
    public const string DestinationUnavailable = "DestinationUnavailable";

    /// <summary>The source (Grafana, InfluxDB) failed, or anything else went wrong.</summary>
    public const string BackupFailed = "BackupFailed";

    /// <summary>The spec cannot be run (bad interval/schedule, a destination not supported here).</summary>
    public const string InvalidSpec = "InvalidSpec";

    /// <summary>A Secret the backup needs is missing or incomplete.</summary>
    public const string CredentialsMissing = "CredentialsMissing";
}

/// <summary>What the scheduler knows about one kind of backup of one stack (in memory; lost on restart, then refilled by the next run).</summary>
/// <param name="FirstSeen">When the scheduler first saw this backup configured (the anchor of a cron schedule).</param>
/// <param name="LastAttempt">When the latest run started.</param>
/// <param name="LastSuccess">When the latest successful run finished.</param>
/// <param name="LastSnapshot">The snapshot path (<c>grafana/20250601T030000Z</c>) of the latest success.</param>
/// <param name="LastError">Why the latest run failed; null after a success. Never a secret.</param>
/// <param name="LastReason">Reason of the latest failure (a <see cref="BackupReasons"/> value); null after a success.</param>
/// <param name="Failures">Consecutive failures.</param>
/// <param name="NextDue">When the next run is due; null when never (or not runnable).</param>
/// <param name="Running">True while a run is in progress.</param>
/// <param name="SpecKey">The spec text the schedule was computed from (a changed spec resets the cadence).</param>
public sealed record BackupRecord(
    DateTimeOffset FirstSeen,
    DateTimeOffset? LastAttempt = null,
    DateTimeOffset? LastSuccess = null,
    string? LastSnapshot = null,
    string? LastError = null,
    string? LastReason = null,
    int Failures = 0,
    DateTimeOffset? NextDue = null,
    bool Running = false,
    string SpecKey = "");

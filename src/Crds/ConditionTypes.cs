namespace MetricsOperator.Crds;

/// <summary>The condition types a MetricsStack reports, so reconcilers, printer columns and tests spell them alike.</summary>
public static class MetricsStackConditions
{
    /// <summary>All parts are ready: the condition Argo CD and people read.</summary>
    public const string Ready = "Ready";

    /// <summary>InfluxDB runs, is set up, and the bucket and tokens exist.</summary>
    public const string InfluxDBReady = "InfluxDBReady";

    /// <summary>Telegraf runs with the current configuration.</summary>
    public const string TelegrafReady = "TelegrafReady";

    /// <summary>Grafana runs (or the external one answers) and has its datasources.</summary>
    public const string GrafanaReady = "GrafanaReady";

    /// <summary>
    /// The dashboard cache (Trickster) runs every replica ready; present only while spec.grafana.cache is enabled, and
    /// folded into Ready, since dashboards on the cached datasource fail while it is down.
    /// </summary>
    public const string CacheReady = "CacheReady";

    /// <summary>Contact points and the notification policy are in Grafana.</summary>
    public const string AlertingReady = "AlertingReady";

    /// <summary>The latest backups succeeded, or none are configured.</summary>
    public const string BackupReady = "BackupReady";

    /// <summary>Every data volume has the size the spec asks for (none is growing, none was refused).</summary>
    public const string StorageReady = "StorageReady";

    /// <summary>The listener token exists and every opted-in namespace holds its current copy.</summary>
    public const string WriteAccessReady = "WriteAccessReady";
}

/// <summary>The condition types an AppAlert reports.</summary>
public static class AppAlertConditions
{
    /// <summary>The spec is valid and every rule is in Grafana.</summary>
    public const string Ready = "Ready";

    /// <summary>Grafana holds exactly the rules of the current generation.</summary>
    public const string Synced = "Synced";
}

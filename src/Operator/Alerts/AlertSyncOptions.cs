using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts;

/// <summary>How AppAlerts are kept in sync with Grafana.</summary>
public sealed record AlertSyncOptions
{
    /// <summary>
    /// How long a stack's Grafana snapshot (folders and rules) is trusted before it is listed again. Drift made in
    /// Grafana's UI is found when the snapshot is refreshed, so this bounds how long drift lasts. Keep it below the
    /// informers' resync period, so that each resync wave lists once and sees what changed since the last one.
    /// </summary>
    public TimeSpan SnapshotMaxAge { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>How long credentials read from a Secret are used before the Secret is read again.</summary>
    public TimeSpan CredentialsMaxAge { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>First wait after Grafana failed to answer, shared by all AppAlerts of the stack; doubles per failure.</summary>
    public TimeSpan OutageBackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts while Grafana is unavailable.</summary>
    public TimeSpan OutageBackoffMax { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>When an AppAlert waiting for its stack looks again (stack changes also wake it).</summary>
    public TimeSpan StackRecheck { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The check of each rule's queries against the stack's InfluxDB before sync.</summary>
    public MetricsOperator.Alerts.QueryChecks.QueryCheckOptions QueryChecks { get; init; } = MetricsOperator.Alerts.QueryChecks.QueryCheckOptions.Default;

    /// <summary>Timeouts and retries of each Grafana request.</summary>
    public GrafanaClientOptions Client { get; init; } = GrafanaClientOptions.Default;

    /// <summary>Default settings.</summary>
    public static AlertSyncOptions Default { get; } = new();
}

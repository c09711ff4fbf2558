namespace MetricsOperator.Alerts.QueryChecks;

/// <summary>How AppAlert queries are checked against the stack's InfluxDB before they are synced (docs/alerts.md).</summary>
public sealed record QueryCheckOptions
{
    /// <summary>
    /// Whether queries are checked at all. Off (<c>--no-query-check</c>) for an operator that cannot reach its stacks'
    /// InfluxDB (e.g. run outside the cluster without a port-forward): rules are then synced unchecked and status says so.
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// How long "no data" is believed: a query that parsed but found nothing is asked again after this (so status says
    /// "data" once the app writes), never sooner; parse errors and "data" are kept for as long as the query text is the same.
    /// </summary>
    public TimeSpan NoDataRecheck { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long after InfluxDB could not be asked (down, 5xx, token refused or missing) it is left alone: the rules are
    /// synced unchecked meanwhile, and checked when this has passed.
    /// </summary>
    public TimeSpan UnavailableRecheck { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one check request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Default settings.</summary>
    public static QueryCheckOptions Default { get; } = new();
}

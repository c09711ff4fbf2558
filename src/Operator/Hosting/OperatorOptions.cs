namespace MetricsOperator.Hosting;

/// <summary>How the operator process runs; filled from the <c>run</c> command line.</summary>
internal sealed record OperatorOptions
{
    /// <summary>Watch only this namespace; null watches all.</summary>
    public string? Namespace { get; init; }

    /// <summary>Reconcile workers per controller.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>How often every object is reconciled again even without a change (drift repair).</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether to take a Lease before reconciling (for more than one replica).</summary>
    public bool LeaderElection { get; init; }

    /// <summary>The namespace of the leader-election Lease (the operator's own).</summary>
    public string LeaseNamespace { get; init; } = "metrics-operator";

    /// <summary>The namespace the operator's pods run in: InfluxDB's NetworkPolicy lets them in to bootstrap it.</summary>
    public string OperatorNamespace { get; init; } = Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "metrics-operator";

    /// <summary>The operator's own image, which backup Jobs (PVC destinations) run; null: PVC backups cannot run.</summary>
    public string? BackupImage { get; init; }

    /// <summary>The backup Jobs' imagePullPolicy.</summary>
    public string BackupImagePullPolicy { get; init; } = "IfNotPresent";

    /// <summary>Secrets (in each stack namespace) the backup Jobs pull the image with.</summary>
    public IReadOnlyList<string> BackupImagePullSecrets { get; init; } = [];

    /// <summary>Where the operator reaches every stack's InfluxDB instead of its in-cluster Service; null: the Service.</summary>
    public Uri? InfluxDbUrl { get; init; }

    /// <summary>Where the operator reaches every managed Grafana instead of its in-cluster Service; null: the Service.</summary>
    public Uri? GrafanaUrl { get; init; }

    /// <summary>
    /// Whether AppAlert queries are checked against the stack's InfluxDB before sync (docs/alerts.md); off for an operator
    /// that cannot reach the InfluxDBs (the rules are then synced unchecked).
    /// </summary>
    public bool QueryChecks { get; init; } = true;

    /// <summary>Where /healthz, /readyz and /metrics listen.</summary>
    public string ProbeAddress { get; init; } = "http://0.0.0.0:8080";
}

namespace MetricsOperator.Backup.Jobs;

/// <summary>How the operator runs backups to a PersistentVolumeClaim: a Job per run, with the operator's own image.</summary>
public sealed record BackupJobOptions
{
    /// <summary>
    /// The image the Jobs run: the operator's own (its entrypoint has the <c>backup</c> command). The chart passes the
    /// Deployment's image with <c>--backup-image</c>; null means the operator cannot run PVC backups.
    /// </summary>
    public string? Image { get; init; }

    /// <summary>The Jobs' imagePullPolicy (the chart passes the Deployment's).</summary>
    public string ImagePullPolicy { get; init; } = "IfNotPresent";

    /// <summary>
    /// Secrets to pull the image with, by name: they must exist in each stack namespace (the Job's pod runs there,
    /// under its default ServiceAccount).
    /// </summary>
    public IReadOnlyList<string> ImagePullSecrets { get; init; } = [];

    /// <summary>How long a pod may fail to start (a Secret key missing, an image that cannot be pulled) before the run is reported failed.</summary>
    public TimeSpan StuckGrace { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a pod may stay unscheduled or in ContainerCreating (a cluster autoscaler adding a node, a volume being
    /// attached) before the run is reported failed: a ReadWriteOnce claim attached to another node waits there forever.
    /// </summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a running Job is looked at.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The Job's activeDeadlineSeconds for a Grafana backup (an export of a few MiB).</summary>
    public TimeSpan GrafanaDeadline { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The Job's activeDeadlineSeconds for an InfluxDB backup (every shard of the bucket).</summary>
    public TimeSpan InfluxDbDeadline { get; init; } = TimeSpan.FromHours(6);

    /// <summary>The activeDeadlineSeconds of a <paramref name="kind"/> backup's Job.</summary>
    public TimeSpan DeadlineFor(string kind) => kind == Scheduling.BackupKinds.Grafana ? GrafanaDeadline : InfluxDbDeadline;

    /// <summary>
    /// How long past the deadline the operator still waits for the Job's outcome before it reports the run failed
    /// (the job controller marks a Job Failed at its deadline; this covers a cluster where that does not happen).
    /// </summary>
    public TimeSpan OutcomeGrace { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The defaults, with no image.</summary>
    public static BackupJobOptions Default { get; } = new();
}

using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Alerts.Routing;
using MetricsOperator.Crds;

namespace MetricsOperator.Backup.Scheduling;

/// <summary>One run of one kind of backup of one stack: resolves the sources, runs the backup, classifies a failure.</summary>
public static class BackupRun
{
    /// <summary>Runs the <paramref name="kind"/> backup of <paramref name="stack"/> once.</summary>
    public static async Task<BackupRunResult> RunAsync(IBackupSources sources, V1Alpha1MetricsStack stack, string kind, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(stack);
        var target = TargetOf(stack, kind);
        var options = OptionsOf(stack, target);
        using var destination = await sources.DestinationAsync(stack, target, cancellationToken).ConfigureAwait(false);
        var store = new SnapshotStore(destination, kind);
        if (kind == BackupKinds.Grafana)
        {
            using var grafana = await sources.GrafanaAsync(stack, cancellationToken).ConfigureAwait(false);
            return await new GrafanaBackup(grafana, store, time).RunAsync(options, cancellationToken).ConfigureAwait(false);
        }

        using var influx = await sources.InfluxAsync(stack, cancellationToken).ConfigureAwait(false);
        return await new InfluxBackup(influx, store, time).RunAsync(options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The spec of <paramref name="kind"/>'s backup in <paramref name="stack"/>.</summary>
    /// <exception cref="BackupSetupException">That kind is not configured.</exception>
    public static BackupTargetSpec TargetOf(V1Alpha1MetricsStack stack, string kind)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var backup = stack.Spec?.Backup;
        return kind == BackupKinds.Grafana
            ? backup?.Grafana ?? throw new BackupSetupException(BackupReasons.InvalidSpec, "spec.backup.grafana is not set")
            : backup?.InfluxDb ?? throw new BackupSetupException(BackupReasons.InvalidSpec, "spec.backup.influxdb is not set");
    }

    /// <summary>What <paramref name="stack"/>'s status says of <paramref name="kind"/>'s backups; null when nothing yet.</summary>
    public static BackupRunStatus? StatusOf(V1Alpha1MetricsStack stack, string kind)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return kind == BackupKinds.Grafana ? stack.Status?.Backup?.Grafana : stack.Status?.Backup?.InfluxDb;
    }

    /// <summary>
    /// The run's settings from the spec: how many to keep, the age limit, the stack, the contact points' Secrets, and,
    /// for an external Grafana (which several environments may share), the environment whose objects alone are backed
    /// up. A managed Grafana serves this stack only: all of it is backed up, dashboards people made included.
    /// </summary>
    public static BackupRunOptions OptionsOf(V1Alpha1MetricsStack stack, BackupTargetSpec target)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(target);
        return new BackupRunOptions(target.Keep ?? 7, target.MaxAgeDays, BackupResults.KeyOf(stack), SecretRefs(stack), ScopeOf(stack));
    }

    /// <summary>The environment a Grafana backup of <paramref name="stack"/> is limited to: its own in external mode, else none.</summary>
    public static string? ScopeOf(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.Spec?.Grafana?.Mode == GrafanaMode.External ? NotificationNames.Environment(stack) : null;
    }

    /// <summary>The BackupReady reason for a failed run.</summary>
    public static string ReasonOf(Exception failure) => failure switch
    {
        BackupSetupException setup => setup.Reason,
        Jobs.BackupJobException job => job.Reason,
        BackupDestinationException => BackupReasons.DestinationUnavailable,
        _ => BackupReasons.BackupFailed,
    };

    private static Dictionary<string, string>? SecretRefs(V1Alpha1MetricsStack stack) =>
        stack.Spec?.Grafana?.ContactPoints is { Count: > 0 } points
            // "Secret/key": a restore run with cluster access reads the value back from there. Keyed by the name the
            // contact point has in Grafana, which carries the environment when the stack has one.
            ? points.GroupBy(p => NotificationNames.InGrafana(stack, p.Name), StringComparer.Ordinal).ToDictionary(g => g.Key, g => $"{g.First().SecretRef.Name}/{g.First().SecretRef.Key}", StringComparer.Ordinal)
            : null;
}

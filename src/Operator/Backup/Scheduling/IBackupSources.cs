using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Crds;

namespace MetricsOperator.Backup.Scheduling;

/// <summary>
/// What a scheduled backup talks to, resolved per run from the stack: the destination (with its credentials), the
/// stack's Grafana and InfluxDB. The cluster implementation reads Secrets with a GET; tests give the fakes and s3rver.
/// </summary>
public interface IBackupSources
{
    /// <summary>The destination of <paramref name="target"/>. The caller disposes it.</summary>
    /// <exception cref="BackupSetupException">The spec cannot be run or a Secret is missing.</exception>
    Task<IBackupDestination> DestinationAsync(V1Alpha1MetricsStack stack, BackupTargetSpec target, CancellationToken cancellationToken);

    /// <summary>The stack's Grafana, read-only use. The caller disposes it.</summary>
    /// <exception cref="BackupSetupException">Grafana's credentials are missing.</exception>
    Task<GrafanaConfigApi> GrafanaAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken);

    /// <summary>The stack's InfluxDB with the operator (admin) token. The caller disposes it.</summary>
    /// <exception cref="BackupSetupException">The admin Secret is missing.</exception>
    Task<InfluxBackupApi> InfluxAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken);
}

/// <summary>A backup cannot start: its spec cannot be run here, or a Secret it needs is missing. The message names the Secret, never its content.</summary>
public sealed class BackupSetupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BackupSetupException()
    {
        Reason = BackupReasons.BackupFailed;
    }

    /// <summary>Creates the exception.</summary>
    public BackupSetupException(string message) : base(message)
    {
        Reason = BackupReasons.BackupFailed;
    }

    /// <summary>Creates the exception.</summary>
    public BackupSetupException(string message, Exception innerException) : base(message, innerException)
    {
        Reason = BackupReasons.BackupFailed;
    }

    /// <summary>Creates the exception with its condition reason.</summary>
    public BackupSetupException(string reason, string message) : base(message)
    {
        Reason = reason;
    }

    /// <summary>The BackupReady reason (<see cref="BackupReasons.InvalidSpec"/>, <see cref="BackupReasons.CredentialsMissing"/>).</summary>
    public string Reason { get; }
}

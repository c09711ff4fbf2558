using MetricsOperator.Backup.Scheduling;

namespace MetricsOperator.Backup.Jobs;

/// <summary>A backup Job failed, or left no outcome the operator can read. The message names the Job, never a secret.</summary>
public sealed class BackupJobException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BackupJobException()
    {
        Reason = BackupReasons.BackupFailed;
    }

    /// <summary>Creates the exception.</summary>
    public BackupJobException(string message) : base(message)
    {
        Reason = BackupReasons.BackupFailed;
    }

    /// <summary>Creates the exception.</summary>
    public BackupJobException(string message, Exception innerException) : base(message, innerException)
    {
        Reason = BackupReasons.BackupFailed;
    }

    /// <summary>Creates the exception with the BackupReady reason the Job reported.</summary>
    public BackupJobException(string reason, string message) : base(message)
    {
        Reason = reason;
    }

    /// <summary>The BackupReady reason.</summary>
    public string Reason { get; }
}

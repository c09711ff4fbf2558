using MetricsOperator.Backup.Grafana;
using MetricsOperator.Crds;

namespace MetricsOperator.Backup.Scheduling;

/// <summary>
/// Runs one backup of one kind of one stack to its destination and says what it wrote. The scheduler decides when;
/// a runner decides where the work happens: in the operator (object storage) or in a Job that mounts a claim.
/// </summary>
public interface IBackupRunner
{
    /// <summary>Runs the <paramref name="kind"/> backup of <paramref name="stack"/> (schema defaults applied) once.</summary>
    /// <exception cref="BackupSetupException">The spec cannot be run or a Secret is missing.</exception>
    Task<BackupRunResult> RunAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the run uses the operator's own memory and CPU (it streams through this process), so it counts against
    /// <see cref="BackupScheduler.MaxConcurrentRuns"/>; a run that waits on a Job does not.
    /// </summary>
    bool RunsInProcess(V1Alpha1MetricsStack stack, string kind);
}

/// <summary>Runs backups in the operator's process, streaming to object storage (<see cref="BackupRun"/>).</summary>
public sealed class InProcessBackupRunner(IBackupSources sources, TimeProvider? time = null) : IBackupRunner
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <inheritdoc/>
    public Task<BackupRunResult> RunAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken) =>
        BackupRun.RunAsync(sources, stack, kind, clock, cancellationToken);

    /// <inheritdoc/>
    public bool RunsInProcess(V1Alpha1MetricsStack stack, string kind) => true;
}

/// <summary>
/// Sends each run to the runner for its destination: a PersistentVolumeClaim cannot be mounted into the operator's
/// running pod, so those runs go to <paramref name="claim"/> (a Job per run); object storage runs in the operator.
/// </summary>
public sealed class DestinationBackupRunner(IBackupRunner objectStorage, IBackupRunner claim) : IBackupRunner
{
    /// <inheritdoc/>
    public Task<BackupRunResult> RunAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken) =>
        RunnerFor(stack, kind).RunAsync(stack, kind, cancellationToken);

    /// <inheritdoc/>
    public bool RunsInProcess(V1Alpha1MetricsStack stack, string kind) => RunnerFor(stack, kind).RunsInProcess(stack, kind);

    private IBackupRunner RunnerFor(V1Alpha1MetricsStack stack, string kind) =>
        BackupRun.TargetOf(stack, kind).Destination.Pvc is null ? objectStorage : claim;
}

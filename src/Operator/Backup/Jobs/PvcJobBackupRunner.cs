using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Backup.Jobs;

/// <summary>
/// Runs a backup to a PersistentVolumeClaim as a Job in the stack's namespace (the operator cannot mount a claim into
/// its own running pod). Reads like a reconcile of one Job: observe this stack's backup Jobs of this kind (a Job that
/// finished while the operator was away is read, not run again; one still running is adopted, not started twice),
/// otherwise create one; wait for its outcome, giving up early on a pod that cannot start; read the result from the
/// pod's termination message; delete the Job. Messages never name the Job (each run's differs, and BackupReady's
/// message must not change on every retry): the log line does.
/// </summary>
public sealed class PvcJobBackupRunner(KubeApi api, IStackEndpoints endpoints, BackupJobOptions options, TimeProvider? time = null, ILogger<PvcJobBackupRunner>? logger = null) : IBackupRunner
{
    // Set on its pods by the job controller, in every Kubernetes version this operator supports.
    private const string ControllerUidLabel = "controller-uid";

    // Why a pod's container does not start, as the kubelet says it; each is reported once it lasts options.StuckGrace.
    private static readonly Dictionary<string, string> CannotStart = new(StringComparer.Ordinal)
    {
        ["CreateContainerConfigError"] = BackupReasons.CredentialsMissing,
        ["CreateContainerError"] = BackupReasons.BackupFailed,
        ["ErrImagePull"] = BackupReasons.BackupFailed,
        ["ImagePullBackOff"] = BackupReasons.BackupFailed,
        ["InvalidImageName"] = BackupReasons.BackupFailed,
    };

    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly ILogger log = logger ?? (ILogger)NullLogger.Instance;

    /// <inheritdoc/>
    public bool RunsInProcess(V1Alpha1MetricsStack stack, string kind) => false;

    /// <inheritdoc/>
    public async Task<BackupRunResult> RunAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var (running, finishedUnread) = await ObserveAsync(stack, kind, cancellationToken).ConfigureAwait(false);
        var job = running is null && finishedUnread is not null
            ? finishedUnread
            : await OutcomeAsync(running ?? await StartAsync(stack, kind, cancellationToken).ConfigureAwait(false), kind, cancellationToken).ConfigureAwait(false);
        return await ReportAsync(stack, kind, job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// This stack's backup Jobs of <paramref name="kind"/>: the newest one still running, and the newest finished one
    /// (every finished Job still there is unread: a run deletes its Job once it has read it). Older finished ones are
    /// deleted: only the newest outcome matters.
    /// </summary>
    private async Task<(V1Job? Running, V1Job? Finished)> ObserveAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken)
    {
        var ns = StackNames.Namespace(stack);
        var jobs = (await api.ListAsync<V1Job>(ns, BackupJobBuilder.Selector(stack, kind), cancellationToken: cancellationToken).ConfigureAwait(false)).Items
            .Where(j => j.Metadata.DeletionTimestamp is null)
            .OrderByDescending(j => j.Metadata.CreationTimestamp)
            .ThenByDescending(j => j.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        var running = jobs.FirstOrDefault(j => !Finished(j));
        var finished = jobs.Where(Finished).ToList();
        foreach (var older in finished.Skip(1))
        {
            await api.DeleteAsync<V1Job>(ns, older.Metadata.Name, older.Metadata.Uid, cancellationToken).ConfigureAwait(false);
        }

        if (running is not null)
        {
            log.LogInformation("Backup {Kind} of MetricsStack {Stack}: Job {Job} is still running, waiting for it", kind, BackupResults.KeyOf(stack), running.Metadata.Name);
        }
        else if (finished.FirstOrDefault() is { } unread)
        {
            log.LogInformation("Backup {Kind} of MetricsStack {Stack}: Job {Job} finished while no one waited for it; reading its outcome", kind, BackupResults.KeyOf(stack), unread.Metadata.Name);
        }

        if (running is not null && finished.FirstOrDefault() is { } superseded)
        {
            await api.DeleteAsync<V1Job>(ns, superseded.Metadata.Name, superseded.Metadata.Uid, cancellationToken).ConfigureAwait(false);
        }

        return (running, running is null ? finished.FirstOrDefault() : null);
    }

    private async Task<V1Job> StartAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken)
    {
        var ns = StackNames.Namespace(stack);
        var image = options.Image
            ?? throw new BackupSetupException(BackupReasons.BackupFailed,
                "destination.pvc runs each backup in a Job with the operator's image, and this operator was started without --backup-image (the chart sets it)");
        var claim = BackupRun.TargetOf(stack, kind).Destination.Pvc!.ClaimName;
        if (await api.GetAsync<V1PersistentVolumeClaim>(ns, claim, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new BackupSetupException(BackupReasons.DestinationUnavailable,
                $"spec.backup.{kind}.destination.pvc.claimName: PersistentVolumeClaim {ns}/{claim} does not exist");
        }

        var source = kind == BackupKinds.Grafana ? endpoints.Grafana(stack) : endpoints.InfluxDb(stack);
        var deadline = kind == BackupKinds.Grafana ? options.GrafanaDeadline : options.InfluxDbDeadline;
        var settings = new BackupJobSettings(image, source, deadline) { ImagePullPolicy = options.ImagePullPolicy, ImagePullSecrets = options.ImagePullSecrets };
        var job = BackupJobBuilder.Build(stack, kind, settings, clock.GetUtcNow(), Nonce());
        var created = await api.CreateAsync(job, cancellationToken).ConfigureAwait(false) ?? throw new BackupJobException($"creating a backup Job in {ns} returned nothing");
        log.LogInformation("Backup {Kind} of MetricsStack {Stack}: started Job {Job} on claim {Claim}", kind, BackupResults.KeyOf(stack), created.Metadata.Name, claim);
        return created;
    }

    // Five characters of [a-z0-9], as the API server's generateName adds.
    private static string Nonce() => string.Concat(Enumerable.Range(0, 5).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789"[System.Security.Cryptography.RandomNumberGenerator.GetInt32(36)]));

    /// <summary>
    /// Polls the Job until it succeeded or failed. A pod whose container cannot start (a Secret key missing, an image
    /// that cannot be pulled) would otherwise wait out the Job's deadline, hours for InfluxDB: once that lasts
    /// <see cref="BackupJobOptions.StuckGrace"/> the Job is deleted and the kubelet's reason reported. Cancelling leaves
    /// the Job running (the next run adopts it).
    /// </summary>
    private async Task<V1Job> OutcomeAsync(V1Job job, string kind, CancellationToken cancellationToken)
    {
        var ns = job.Metadata.NamespaceProperty;
        var deadline = job.Spec?.ActiveDeadlineSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : kind == BackupKinds.Grafana ? options.GrafanaDeadline : options.InfluxDbDeadline;
        var giveUp = (job.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : clock.GetUtcNow()) + deadline + options.OutcomeGrace;
        DateTimeOffset? stuckSince = null;
        var current = job;
        while (!Finished(current))
        {
            if (clock.GetUtcNow() > giveUp)
            {
                throw new BackupJobException($"the backup Job has no outcome {deadline + options.OutcomeGrace} after it was created (its deadline is {deadline}); is the job controller running?");
            }

            if (await CannotStartAsync(current, cancellationToken).ConfigureAwait(false) is { } stuck)
            {
                stuckSince ??= clock.GetUtcNow();
                if (clock.GetUtcNow() - stuckSince >= options.StuckGrace)
                {
                    log.LogWarning("Backup Job {Namespace}/{Job} cannot start ({Reason}): deleting it", ns, job.Metadata.Name, stuck.Waiting);
                    await api.DeleteAsync<V1Job>(ns, job.Metadata.Name, job.Metadata.Uid, cancellationToken).ConfigureAwait(false);
                    throw new BackupJobException(stuck.Reason, $"the backup Job's pod cannot start: {stuck.Waiting}: {stuck.Message}");
                }
            }
            else
            {
                stuckSince = null;
            }

            // Wall-clock pacing of requests to the API server; the deadline above is the clock's business.
            await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
            current = await api.GetAsync<V1Job>(ns, job.Metadata.Name, cancellationToken).ConfigureAwait(false)
                ?? throw new BackupJobException("the backup Job was deleted before it finished");
        }

        return current;
    }

    /// <summary>Why the Job's pod cannot start, when the kubelet or the scheduler says so; null while it may still.</summary>
    private async Task<(string Reason, string Waiting, string Message)?> CannotStartAsync(V1Job job, CancellationToken cancellationToken)
    {
        foreach (var pod in await PodsAsync(job, cancellationToken).ConfigureAwait(false))
        {
            var waiting = pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == BackupJobBuilder.ContainerName)?.State?.Waiting;
            if (waiting?.Reason is { } reason && CannotStart.TryGetValue(reason, out var backupReason))
            {
                return (backupReason, reason, waiting.Message ?? "");
            }

            if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable") is { } unschedulable)
            {
                return (BackupReasons.BackupFailed, "Unschedulable", unschedulable.Message ?? "");
            }
        }

        return null;
    }

    /// <summary>The run's outcome from the finished Job's termination message; the Job is deleted either way.</summary>
    private async Task<BackupRunResult> ReportAsync(V1Alpha1MetricsStack stack, string kind, V1Job job, CancellationToken cancellationToken)
    {
        var ns = job.Metadata.NamespaceProperty;
        var message = (await PodsAsync(job, cancellationToken).ConfigureAwait(false))
            .Select(p => p.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == BackupJobBuilder.ContainerName)?.State?.Terminated?.Message)
            .FirstOrDefault(m => !string.IsNullOrWhiteSpace(m));
        var reported = BackupJobResult.Parse(message);
        await api.DeleteAsync<V1Job>(ns, job.Metadata.Name, job.Metadata.Uid, cancellationToken).ConfigureAwait(false);
        if (Succeeded(job))
        {
            return reported?.ToRunResult()
                ?? throw new BackupJobException("the backup Job succeeded but left no result in its termination message");
        }

        log.LogWarning("Backup Job {Namespace}/{Job} failed: {Message}", ns, job.Metadata.Name, message ?? "(no termination message)");
        if (reported?.Error is { } error)
        {
            var reason = reported.Reason ?? BackupReasons.BackupFailed;
            throw new BackupJobException(reason, reason == BackupReasons.CredentialsMissing ? $"{error} (the Job reads Secret {ns}/{CredentialsSecret(stack, kind)})" : error);
        }

        var condition = job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True");
        var why = condition?.Reason ?? "no reason given";
        var tail = LastLine(message);
        throw new BackupJobException($"the backup Job failed: {why}{(condition?.Message is { Length: > 0 } m ? ": " + m : "")}{(tail is null ? "" : $" (its output ended with: {tail})")}");
    }

    private async Task<IEnumerable<V1Pod>> PodsAsync(V1Job job, CancellationToken cancellationToken) =>
        (await api.ListAsync<V1Pod>(job.Metadata.NamespaceProperty, $"{ControllerUidLabel}={job.Metadata.Uid}", cancellationToken: cancellationToken).ConfigureAwait(false)).Items;

    private static string CredentialsSecret(V1Alpha1MetricsStack stack, string kind) =>
        kind == BackupKinds.Grafana ? GrafanaConnections.CredentialsSecret(stack) : StackNames.InfluxDbAdminSecret(stack);

    // The last line of a crash's log tail (the kubelet's fallback termination message), short enough for a condition.
    private static string? LastLine(string? text)
    {
        var line = text?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return line is null ? null : line.Length > 300 ? line[..300] + "…" : line;
    }

    private static bool Succeeded(V1Job job) =>
        job.Status?.Succeeded > 0 || job.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true;

    private static bool Finished(V1Job job) =>
        Succeeded(job) || job.Status?.Conditions?.Any(c => c.Type == "Failed" && c.Status == "True") == true;
}

using System.Collections.Concurrent;
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

    private readonly ConcurrentDictionary<string, bool> read = new(StringComparer.Ordinal);
    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly ILogger log = logger ?? (ILogger)NullLogger.Instance;

    /// <inheritdoc/>
    public bool RunsInProcess(V1Alpha1MetricsStack stack, string kind) => false;

    /// <inheritdoc/>
    public async Task<BackupRunResult> RunAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var (running, finishedUnread) = await ObserveAsync(stack, kind, cancellationToken).ConfigureAwait(false);
        var earlier = running ?? finishedUnread;
        var job = running is null && finishedUnread is not null
            ? finishedUnread
            : await OutcomeAsync(running ?? await StartAsync(stack, kind, cancellationToken).ConfigureAwait(false), kind, cancellationToken).ConfigureAwait(false);
        var result = await ReportAsync(stack, kind, job, cancellationToken).ConfigureAwait(false);
        // A Job this run did not start ran from its own times: the scheduler's cadence must count from those.
        return earlier is null ? result : result with
        {
            StartedAt = KubernetesTime.Utc(job.Status?.StartTime ?? job.Metadata.CreationTimestamp),
            FinishedAt = KubernetesTime.Utc(job.Status?.CompletionTime),
        };
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
        var claim = BackupRun.TargetOf(stack, kind).Destination.Pvc?.ClaimName;
        var finished = new List<V1Job>();
        foreach (var job in jobs.Where(Finished))
        {
            // Read by this process already (its delete failed), or written to a claim the spec no longer names: not this run's outcome.
            if (read.ContainsKey(job.Metadata.Uid) || ClaimOf(job) != claim)
            {
                if (await DeleteQuietlyAsync(job, cancellationToken).ConfigureAwait(false))
                {
                    read.TryRemove(job.Metadata.Uid, out _);
                }
            }
            else
            {
                finished.Add(job);
            }
        }

        foreach (var older in finished.Skip(1))
        {
            await DeleteQuietlyAsync(older, cancellationToken).ConfigureAwait(false);
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
            await DeleteQuietlyAsync(superseded, cancellationToken).ConfigureAwait(false);
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
        var deadline = options.DeadlineFor(kind);
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
        var deadline = job.Spec?.ActiveDeadlineSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.DeadlineFor(kind);
        var giveUp = (KubernetesTime.Utc(job.Metadata.CreationTimestamp) ?? clock.GetUtcNow()) + deadline + options.OutcomeGrace;
        (string Group, DateTimeOffset Since)? stuck = null;
        var current = job;
        while (!Finished(current))
        {
            if (clock.GetUtcNow() > giveUp)
            {
                throw new BackupJobException($"the backup Job has no outcome {deadline + options.OutcomeGrace} after it was created (its deadline is {deadline}); is the job controller running?");
            }

            if (await StartProblemAsync(current, cancellationToken).ConfigureAwait(false) is { } problem)
            {
                // The timer runs while the kind of problem stays the same (ErrImagePull and ImagePullBackOff alternate).
                stuck = stuck?.Group == problem.Group ? stuck : (problem.Group, clock.GetUtcNow());
                if (clock.GetUtcNow() - stuck.Value.Since >= problem.Grace)
                {
                    log.LogWarning("Backup Job {Namespace}/{Job} did not start ({Problem}): deleting it", ns, job.Metadata.Name, problem.Message);
                    await DeleteQuietlyAsync(job, cancellationToken).ConfigureAwait(false);
                    throw new BackupJobException(problem.Reason, problem.Message);
                }
            }
            else
            {
                stuck = null;
            }

            // Wall-clock pacing of requests to the API server; the deadline above is the clock's business.
            await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
            current = await api.GetAsync<V1Job>(ns, job.Metadata.Name, cancellationToken).ConfigureAwait(false)
                ?? throw new BackupJobException("the backup Job was deleted before it finished");
        }

        return current;
    }

    /// <summary>A reason the Job's pod is not starting, how long it may last, and the words for it (the same on every run, so BackupReady does not change between retries).</summary>
    private sealed record StartProblem(string Group, string Reason, string Message, TimeSpan Grace);

    /// <summary>Why the Job's pod is not starting, when the kubelet or the scheduler says so; null while it may still.</summary>
    private async Task<StartProblem?> StartProblemAsync(V1Job job, CancellationToken cancellationToken)
    {
        var image = job.Spec?.Template?.Spec?.Containers?.FirstOrDefault()?.Image;
        foreach (var pod in await PodsAsync(job, cancellationToken).ConfigureAwait(false))
        {
            var waiting = pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == BackupJobBuilder.ContainerName)?.State?.Waiting;
            StartProblem? problem = waiting?.Reason switch
            {
                // The kubelet names the Secret and the key: "couldn't find key admin-token in Secret metrics/influxdb-admin".
                "CreateContainerConfigError" => new("config", BackupReasons.CredentialsMissing, $"the backup Job's pod cannot start: CreateContainerConfigError: {waiting.Message}", options.StuckGrace),
                "ErrImagePull" or "ImagePullBackOff" or "ErrImageNeverPull" or "InvalidImageName" => new("image", BackupReasons.BackupFailed,
                    $"the backup Job's pod cannot pull its image {image}: check --backup-image, its pull policy and the pull Secret in the stack's namespace", options.StuckGrace),
                "CreateContainerError" => new("create", BackupReasons.BackupFailed, $"the backup Job's pod cannot start: CreateContainerError: {waiting.Message}", options.StuckGrace),
                "ContainerCreating" => new("creating", BackupReasons.BackupFailed,
                    $"the backup Job's pod did not start within {options.StartTimeout} (ContainerCreating): its volumes cannot be attached or mounted, e.g. a ReadWriteOnce claim in use on another node", options.StartTimeout),
                _ => null,
            };
            if (problem is not null)
            {
                return problem;
            }

            if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable") is not null)
            {
                return new("schedule", BackupReasons.BackupFailed, $"the backup Job's pod could not be scheduled within {options.StartTimeout}", options.StartTimeout);
            }
        }

        return null;
    }

    /// <summary>The run's outcome from the finished Job's termination message; the Job is deleted either way.</summary>
    private async Task<BackupRunResult> ReportAsync(V1Alpha1MetricsStack stack, string kind, V1Job job, CancellationToken cancellationToken)
    {
        var ns = job.Metadata.NamespaceProperty;
        var terminated = (await PodsAsync(job, cancellationToken).ConfigureAwait(false))
            .Select(p => p.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == BackupJobBuilder.ContainerName)?.State?.Terminated)
            .OfType<V1ContainerStateTerminated>()
            .OrderBy(t => string.IsNullOrWhiteSpace(t.Message))
            .FirstOrDefault();
        var message = terminated?.Message;
        var reported = BackupJobResult.Parse(message);
        if (!await DeleteQuietlyAsync(job, cancellationToken).ConfigureAwait(false))
        {
            // Still there next time, but read: not to be taken for another run's outcome.
            read[job.Metadata.Uid] = true;
        }

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
        var container = terminated is null ? "" : $"; the container ended {terminated.Reason ?? "with an error"}, exit code {terminated.ExitCode}";
        var tail = LastLine(message);
        throw new BackupJobException($"the backup Job failed: {why}{(condition?.Message is { Length: > 0 } m ? ": " + m : "")}{container}{(tail is null ? "" : $" (its output ended with: {tail})")}");
    }

    /// <summary>
    /// Deletes a Job (its pods with it); false when that failed, which is logged, not fatal: a run's outcome does not
    /// depend on cleaning up after it, and the next run tries again (the Job's TTL removes it too, from Kubernetes 1.21).
    /// </summary>
    private async Task<bool> DeleteQuietlyAsync(V1Job job, CancellationToken cancellationToken)
    {
        try
        {
            await api.DeleteAsync<V1Job>(job.Metadata.NamespaceProperty, job.Metadata.Name, job.Metadata.Uid, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (KubeApiException e)
        {
            log.LogWarning("Backup Job {Namespace}/{Job} could not be deleted: {Error}", job.Metadata.NamespaceProperty, job.Metadata.Name, e.Message);
            return false;
        }
    }

    private static string? ClaimOf(V1Job job) =>
        job.Spec?.Template?.Spec?.Volumes?.FirstOrDefault(v => v.PersistentVolumeClaim is not null)?.PersistentVolumeClaim.ClaimName;

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

using k8s.Models;
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
/// its own running pod). Reads like a reconcile of one Job: observe this stack's backup Jobs of this kind, adopt one
/// still running (an operator restarted mid-run does not start a second) or create one, wait for its outcome, read
/// the result from the pod's termination message, and delete the Job when it succeeded. A failed Job is kept for
/// <c>kubectl logs</c> until the next run starts.
/// </summary>
public sealed class PvcJobBackupRunner(KubeApi api, IStackEndpoints endpoints, BackupJobOptions options, TimeProvider? time = null, ILogger<PvcJobBackupRunner>? logger = null) : IBackupRunner
{
    // Set on its pods by the job controller, in every Kubernetes version this operator supports.
    private const string ControllerUidLabel = "controller-uid";

    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly ILogger log = logger ?? (ILogger)NullLogger.Instance;

    /// <inheritdoc/>
    public async Task<BackupRunResult> RunAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var ns = StackNames.Namespace(stack);
        var job = await RunningJobAsync(stack, kind, cancellationToken).ConfigureAwait(false)
            ?? await StartAsync(stack, kind, cancellationToken).ConfigureAwait(false);
        var finished = await OutcomeAsync(job, kind, cancellationToken).ConfigureAwait(false);
        var reported = await ResultAsync(finished, cancellationToken).ConfigureAwait(false);
        var where = $"Job {ns}/{job.Metadata.Name}";
        if (Succeeded(finished))
        {
            var run = reported?.ToRunResult()
                ?? throw new BackupJobException($"{where} succeeded but left no result in its termination message");
            await api.DeleteAsync<V1Job>(ns, job.Metadata.Name, job.Metadata.Uid, cancellationToken).ConfigureAwait(false);
            return run;
        }

        var logs = $"(kubectl -n {ns} logs job/{job.Metadata.Name})";
        if (reported?.Error is { } error)
        {
            throw new BackupJobException(reported.Reason ?? BackupReasons.BackupFailed, $"{error} {logs}");
        }

        var condition = finished.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True");
        throw new BackupJobException($"{where} failed: {condition?.Reason ?? "no reason given"}{(condition?.Message is { Length: > 0 } m ? ": " + m : "")} {logs}");
    }

    /// <summary>Deletes this stack's finished backup Jobs of <paramref name="kind"/>; returns one still running, if any.</summary>
    private async Task<V1Job?> RunningJobAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken)
    {
        var ns = StackNames.Namespace(stack);
        var jobs = await api.ListAsync<V1Job>(ns, BackupJobBuilder.Selector(stack, kind), cancellationToken: cancellationToken).ConfigureAwait(false);
        V1Job? running = null;
        foreach (var job in jobs.Items.OrderBy(j => j.Metadata.Name, StringComparer.Ordinal))
        {
            if (Finished(job))
            {
                await api.DeleteAsync<V1Job>(ns, job.Metadata.Name, job.Metadata.Uid, cancellationToken).ConfigureAwait(false);
            }
            else if (job.Metadata.DeletionTimestamp is null)
            {
                running = job;
            }
        }

        if (running is not null)
        {
            log.LogInformation("Backup {Kind} of MetricsStack {Stack}: Job {Job} is still running, waiting for it", kind, BackupResults.KeyOf(stack), running.Metadata.Name);
        }

        return running;
    }

    private async Task<V1Job> StartAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken)
    {
        var ns = StackNames.Namespace(stack);
        var image = options.Image
            ?? throw new BackupSetupException(BackupReasons.BackupFailed,
                $"destination.pvc runs each backup in a Job with the operator's image, and this operator was started without --backup-image (the chart sets it)");
        var claim = BackupRun.TargetOf(stack, kind).Destination.Pvc!.ClaimName;
        if (await api.GetAsync<V1PersistentVolumeClaim>(ns, claim, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new BackupSetupException(BackupReasons.DestinationUnavailable,
                $"spec.backup.{kind}.destination.pvc.claimName: PersistentVolumeClaim {ns}/{claim} does not exist");
        }

        var source = kind == BackupKinds.Grafana ? endpoints.Grafana(stack) : endpoints.InfluxDb(stack);
        var deadline = kind == BackupKinds.Grafana ? options.GrafanaDeadline : options.InfluxDbDeadline;
        var job = BackupJobBuilder.Build(stack, kind, new BackupJobSettings(image, source, deadline), clock.GetUtcNow(), Nonce());
        var created = await api.CreateAsync(job, cancellationToken).ConfigureAwait(false) ?? throw new BackupJobException($"creating Job {ns}/{job.Metadata.Name} returned nothing");
        log.LogInformation("Backup {Kind} of MetricsStack {Stack}: started Job {Job} on claim {Claim}", kind, BackupResults.KeyOf(stack), created.Metadata.Name, claim);
        return created;
    }

    // Five characters of [a-z0-9], as the API server's generateName adds.
    private static string Nonce() => string.Concat(Enumerable.Range(0, 5).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789"[System.Security.Cryptography.RandomNumberGenerator.GetInt32(36)]));

    /// <summary>Polls the Job until it succeeded or failed; cancelling leaves it running (the next run adopts it).</summary>
    private async Task<V1Job> OutcomeAsync(V1Job job, string kind, CancellationToken cancellationToken)
    {
        var ns = job.Metadata.NamespaceProperty;
        var deadline = job.Spec?.ActiveDeadlineSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : kind == BackupKinds.Grafana ? options.GrafanaDeadline : options.InfluxDbDeadline;
        var giveUp = (job.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : clock.GetUtcNow()) + deadline + options.OutcomeGrace;
        var current = job;
        while (!Finished(current))
        {
            if (clock.GetUtcNow() > giveUp)
            {
                throw new BackupJobException($"Job {ns}/{job.Metadata.Name} has no outcome {deadline + options.OutcomeGrace} after it was created (its deadline is {deadline}); is the job controller running?");
            }

            // Wall-clock pacing of requests to the API server; the deadline above is the clock's business.
            await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
            current = await api.GetAsync<V1Job>(ns, job.Metadata.Name, cancellationToken).ConfigureAwait(false)
                ?? throw new BackupJobException($"Job {ns}/{job.Metadata.Name} was deleted before it finished");
        }

        return current;
    }

    /// <summary>What the Job's pod wrote into its termination message; null when there is no pod or no message of ours.</summary>
    private async Task<BackupJobResult?> ResultAsync(V1Job job, CancellationToken cancellationToken)
    {
        var pods = await api.ListAsync<V1Pod>(job.Metadata.NamespaceProperty, $"{ControllerUidLabel}={job.Metadata.Uid}", cancellationToken: cancellationToken).ConfigureAwait(false);
        return pods.Items
            .Select(p => p.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == BackupJobBuilder.ContainerName)?.State?.Terminated?.Message)
            .Select(BackupJobResult.Parse)
            .FirstOrDefault(r => r is not null);
    }

    private static bool Succeeded(V1Job job) =>
        job.Status?.Succeeded > 0 || job.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true;

    private static bool Finished(V1Job job) =>
        Succeeded(job) || job.Status?.Conditions?.Any(c => c.Type == "Failed" && c.Status == "True") == true;
}

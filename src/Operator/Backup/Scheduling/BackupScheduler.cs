using System.Diagnostics;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Events;
using MetricsOperator.Stacks;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Backup.Scheduling;

/// <summary>
/// Runs every stack's backups when due, off the reconcile workers: each <see cref="StartDue"/> looks at every stack,
/// decides what is due (<see cref="BackupCadence"/>), and starts those runs as tasks (never two of the same stack and
/// kind, at most <see cref="MaxConcurrentRuns"/> streaming through the operator at once; runs in Jobs are not
/// counted), so a long InfluxDB backup holds no worker. Results go to
/// <see cref="BackupResults"/> (read by <see cref="BackupStep"/>), metrics and Events.
/// </summary>
public sealed class BackupScheduler : IDisposable
{
    /// <summary>Backups streaming through the operator at the same time, across stacks (Jobs do not count).</summary>
    public const int MaxConcurrentRuns = 2;

    private readonly IBackupRunner runner;
    private readonly BackupResults results;
    private readonly BackupMetrics? metrics;
    private readonly IEventRecorder? events;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly SemaphoreSlim slots = new(MaxConcurrentRuns, MaxConcurrentRuns);

    /// <summary>Creates the scheduler running every backup in the operator's process from <paramref name="sources"/>.</summary>
    public BackupScheduler(IBackupSources sources, BackupResults results, BackupMetrics? metrics = null, IEventRecorder? events = null, TimeProvider? time = null, ILogger<BackupScheduler>? logger = null)
        : this(new InProcessBackupRunner(sources ?? throw new ArgumentNullException(nameof(sources)), time), results, metrics, events, time, logger)
    {
    }

    /// <summary>Creates the scheduler handing each run to <paramref name="runner"/>.</summary>
    public BackupScheduler(IBackupRunner runner, BackupResults results, BackupMetrics? metrics = null, IEventRecorder? events = null, TimeProvider? time = null, ILogger<BackupScheduler>? logger = null)
    {
        this.runner = runner ?? throw new ArgumentNullException(nameof(runner));
        this.results = results ?? throw new ArgumentNullException(nameof(results));
        this.metrics = metrics;
        this.events = events;
        this.time = time ?? TimeProvider.System;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Called with the stack after each of its runs finished (succeeded or failed) and its result is recorded. The
    /// BackupReady step reports results only when the stack is reconciled, so the operator queues the stack here:
    /// without it the status would wait for the step's requeue (up to <see cref="BackupStep.MaxRequeue"/>).
    /// </summary>
    public Action<V1Alpha1MetricsStack>? RunFinished { get; init; }

    /// <summary>Starts the runs due now; returns them (the hosted loop does not wait for them, tests do).</summary>
    public IReadOnlyList<Task> StartDue(IEnumerable<V1Alpha1MetricsStack> stacks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stacks);
        var now = time.GetUtcNow();
        var started = new List<Task>();
        var seen = new HashSet<(string, string)>();
        foreach (var original in stacks)
        {
            if (original.Metadata?.DeletionTimestamp is not null || original.Spec?.Backup is null)
            {
                continue;
            }

            var stack = SchemaDefaults.Applied(original);
            var key = BackupResults.KeyOf(stack);
            foreach (var kind in Configured(stack))
            {
                seen.Add((key, kind));
                if (Plan(stack, key, kind, now) is { } run)
                {
                    started.Add(RunAsync(original, stack, key, kind, run, cancellationToken));
                }
            }
        }

        results.Retain(seen);
        return started;
    }

    /// <inheritdoc/>
    public void Dispose() => slots.Dispose();

    /// <summary>The kinds configured in <paramref name="stack"/>'s spec.</summary>
    public static IEnumerable<string> Configured(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        if (stack.Spec?.Backup?.Grafana is not null)
        {
            yield return BackupKinds.Grafana;
        }

        if (stack.Spec?.Backup?.InfluxDb is not null)
        {
            yield return BackupKinds.InfluxDb;
        }
    }

    /// <summary>Updates the record's due time; when due and idle, marks it running and returns the start time.</summary>
    private DateTimeOffset? Plan(V1Alpha1MetricsStack stack, string key, string kind, DateTimeOffset now)
    {
        var specText = SpecText(stack, kind);
        Due(stack, kind, new BackupRecord(now), out var problem);
        DateTimeOffset? start = null;
        results.Update(key, kind, old =>
        {
            var record = old is null
                ? Resumed(stack, kind, now) with { SpecKey = specText }
                : old.SpecKey != specText
                    ? new BackupRecord(now, old.LastAttempt, old.LastSuccess, old.LastSnapshot, SpecKey: specText, Running: old.Running)
                    : old;
            if (problem is not null)
            {
                var field = kind == BackupKinds.Grafana ? "spec.backup.grafana.interval" : "spec.backup.influxdb.schedule";
                return record with { LastError = $"{field}: {problem}", LastReason = BackupReasons.InvalidSpec, NextDue = null };
            }

            if (record.LastReason == BackupReasons.InvalidSpec)
            {
                record = record with { LastError = null, LastReason = null };
            }

            var due = Due(stack, kind, record, out _);
            record = record with { NextDue = due };
            if (record.Running || due is not { } d || d > now || !SourceReady(stack, kind))
            {
                return record;
            }

            start = now;
            return record with { Running = true, LastAttempt = now };
        });
        return start;
    }

    /// <summary>
    /// The record of a backup this process has not run yet, picked up from the stack's status (results are kept in
    /// memory, so after a restart the status is what is known): the last success and snapshot, and, when the latest
    /// run before the restart failed, that failure, which stays reported and is retried at once, as a retry whose
    /// delay has passed, rather than waiting for the next regular time.
    /// </summary>
    internal static BackupRecord Resumed(V1Alpha1MetricsStack stack, string kind, DateTimeOffset now)
    {
        var status = BackupRun.StatusOf(stack, kind);
        var record = new BackupRecord(
            Anchor(stack, kind, now),
            LastSuccess: KubernetesTime.Utc(status?.LastSuccessTime),
            LastSnapshot: status?.LastSnapshot);
        if (status?.LastError is not { Length: > 0 } error)
        {
            return record;
        }

        // BackupReady has one reason for both kinds, and status keeps no reason per kind: each failing kind resumes with
        // the condition's, so the condition reads the same after the restart as before it (no new Event, no status write).
        var condition = stack.Status?.Conditions?.FirstOrDefault(c => c.Type == MetricsStackConditions.BackupReady && c.Status == "False");
        return record with
        {
            LastError = error,
            LastReason = condition?.Reason ?? BackupReasons.BackupFailed,
            Failures = 1,
            LastAttempt = now - BackupCadence.RetryDelay(1),
        };
    }

    /// <summary>
    /// Where a cadence starts when the scheduler first sees a backup: the last success in status when there is one
    /// (so a run missed while the operator was down or restarting is made up at once), else now.
    /// </summary>
    private static DateTimeOffset Anchor(V1Alpha1MetricsStack stack, string kind, DateTimeOffset now)
    {
        return KubernetesTime.Utc(BackupRun.StatusOf(stack, kind)?.LastSuccessTime) is { } at && at < now ? at : now;
    }

    /// <summary>
    /// A backup waits for its source's condition (GrafanaReady, InfluxDBReady): a stack being created would otherwise
    /// start with failed backups and Warning Events. A run that came due meanwhile runs as soon as the source is ready.
    /// </summary>
    public static bool SourceReady(V1Alpha1MetricsStack stack, string kind)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return Runtime.Conditions.ConditionSet.IsTrue(stack.Status?.Conditions, kind == BackupKinds.Grafana ? MetricsStackConditions.GrafanaReady : MetricsStackConditions.InfluxDBReady);
    }

    private static string SpecText(V1Alpha1MetricsStack stack, string kind) =>
        (kind == BackupKinds.Grafana ? stack.Spec.Backup!.Grafana!.Interval : stack.Spec.Backup!.InfluxDb!.Schedule) ?? "";

    /// <summary>When <paramref name="record"/>'s next run is due under the stack's spec; null and a problem when the spec is not runnable.</summary>
    private static DateTimeOffset? Due(V1Alpha1MetricsStack stack, string kind, BackupRecord record, out string? problem)
    {
        var text = SpecText(stack, kind);
        if (kind == BackupKinds.Grafana)
        {
            return BackupCadence.TryParseInterval(text, out problem) is { } interval ? BackupCadence.NextGrafana(record.LastAttempt, record.Failures, interval) : null;
        }

        return CronSchedule.TryParse(text, out problem) is { } cron ? BackupCadence.NextInflux(cron, record.LastAttempt ?? record.FirstSeen, record.Failures) : null;
    }

    private BackupRecord Finish(V1Alpha1MetricsStack stack, string key, string kind, DateTimeOffset startedAt, Func<BackupRecord, BackupRecord> change) =>
        results.Update(key, kind, r =>
        {
            var record = change(r ?? new BackupRecord(startedAt)) with { Running = false };
            return record with { NextDue = Due(stack, kind, record, out _) };
        });

    private async Task RunAsync(V1Alpha1MetricsStack involved, V1Alpha1MetricsStack stack, string key, string kind, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        await Task.Yield();
        SemaphoreSlim? slot = null;
        var watch = Stopwatch.StartNew();
        var recorded = false;
        try
        {
            // Only runs that stream through this process take a slot: one waiting on a Job costs a poll every few seconds.
            if (runner.RunsInProcess(stack, kind))
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                slot = slots;
                watch.Restart();
            }

            var result = await runner.RunAsync(stack, kind, cancellationToken).ConfigureAwait(false);
            // A Job that ran before this run was asked for (adopted or read after a restart) counts from its own times,
            // so the cadence runs the backup that is due now instead of taking the older one for it.
            var finished = result.FinishedAt ?? time.GetUtcNow();
            var before = results.Get(key, kind);
            Finish(stack, key, kind, startedAt, r => r with
            {
                LastAttempt = result.StartedAt ?? r.LastAttempt,
                LastSuccess = finished,
                LastSnapshot = $"{kind}/{result.Snapshot}",
                LastError = null,
                LastReason = null,
                Failures = 0,
            });
            metrics?.Observe(kind, key, result.StartedAt is { } began && result.FinishedAt is { } ended ? ended - began : watch.Elapsed, finished, result.Bytes);
            logger.LogInformation("Backup {Kind} of MetricsStack {Stack}: {Outcome} {Snapshot} ({Bytes} bytes, {Deleted} deleted by retention)",
                kind, key, result.Written ? "wrote" : "unchanged since", result.Snapshot, result.Bytes, result.Deleted.Count);
            if (before is { Failures: > 0 } && events is not null)
            {
                events.Record(involved, EventTypes.Normal, "BackupRecovered", $"{kind} backup succeeded again: {kind}/{result.Snapshot}");
            }

            recorded = true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = BackupRun.ReasonOf(e);
            var message = $"{kind} backup failed: {e.Message}";
            var record = Finish(stack, key, kind, startedAt, r => r with
            {
                LastError = message,
                LastReason = reason,
                Failures = r.Failures + 1,
            });
            metrics?.Observe(kind, key, watch.Elapsed, null, 0, record.Failures);
            logger.LogWarning("Backup {Kind} of MetricsStack {Stack} failed ({Reason}, {Failures} in a row): {Message}", kind, key, reason, record.Failures, e.Message);
            if (events is not null)
            {
                events.Record(involved, EventTypes.Warning, reason, message);
            }

            recorded = true;
        }
        catch (OperationCanceledException)
        {
            results.Update(key, kind, r => (r ?? new BackupRecord(startedAt)) with { Running = false });
        }
        finally
        {
            slot?.Release();
        }

        // Outside the try: a failing callback is not a failed backup.
        if (recorded)
        {
            RunFinished?.Invoke(involved);
        }
    }
}

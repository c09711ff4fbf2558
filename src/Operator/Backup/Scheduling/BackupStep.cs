using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Steps;

namespace MetricsOperator.Backup.Scheduling;

/// <summary>
/// The MetricsStack step owning <c>BackupReady</c>. It runs no backup (<see cref="BackupScheduler"/> does, off the
/// reconcile workers); it reports the latest results: True <c>NotConfigured</c> without spec.backup, True
/// <c>Scheduled</c> before the first run, True <c>Succeeded</c> when the latest run of every configured kind
/// succeeded, else False with the failure's reason (<c>DestinationUnavailable</c>, <c>BackupFailed</c>,
/// <c>InvalidSpec</c>, <c>CredentialsMissing</c>) and message. It fills <c>status.backup</c>; after an operator
/// restart (results are in memory) it reports what the previous status says until the scheduler has run again. Registered last, so a failing
/// backup stops no other step (it does make Ready False, as every component condition does).
/// </summary>
public sealed class BackupStep(BackupResults results, TimeProvider? time = null) : IStackStep
{
    /// <summary>Longest time between two looks while backups are configured (status follows the scheduler's results).</summary>
    public static readonly TimeSpan MaxRequeue = TimeSpan.FromMinutes(5);

    /// <summary>How soon to look again while a run is in progress.</summary>
    public static readonly TimeSpan RunningRequeue = TimeSpan.FromSeconds(30);

    private readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <inheritdoc/>
    public string ConditionType => MetricsStackConditions.BackupReady;

    /// <inheritdoc/>
    public Task<StepOutcome> RunAsync(DefaultedStack stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return Task.FromResult(Report(stack));
    }

    /// <summary>The outcome for <paramref name="stack"/> from the current results (no I/O).</summary>
    public StepOutcome Report(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var kinds = BackupScheduler.Configured(stack).ToList();
        if (kinds.Count == 0)
        {
            return new StepOutcome(true, BackupReasons.NotConfigured, "spec.backup is not set: nothing is backed up", ApplyStatus: s => s.Backup = null);
        }

        var key = BackupResults.KeyOf(stack);
        var now = clock.GetUtcNow();
        var statuses = new Dictionary<string, BackupRunStatus>(StringComparer.Ordinal);
        var failures = new List<(string Reason, string Message)>();
        var pending = new List<string>();
        TimeSpan requeue = MaxRequeue;
        foreach (var kind in kinds)
        {
            // Before the scheduler's first look after an operator restart, what status says is what is known.
            var record = results.Get(key, kind) ?? BackupScheduler.Resumed(stack, kind, now);
            var before = BackupRun.StatusOf(stack, kind);
            statuses[kind] = new BackupRunStatus
            {
                LastSnapshot = record.LastSnapshot ?? before?.LastSnapshot,
                LastSuccessTime = record.LastSuccess?.UtcDateTime ?? before?.LastSuccessTime,
                LastError = record.LastError,
            };
            if (record.LastError is { } error)
            {
                // No retry time in the message: the condition stays the same across retries (no status patch, no Event each time).
                failures.Add((record.LastReason ?? BackupReasons.BackupFailed, error));
            }
            else if (record.LastSuccess is null)
            {
                var source = kind == BackupKinds.Grafana ? MetricsStackConditions.GrafanaReady : MetricsStackConditions.InfluxDBReady;
                pending.Add(!BackupScheduler.SourceReady(stack, kind) ? $"first {kind} backup waits for {source}"
                    : record.NextDue is { } due && due > DateTimeOffset.MinValue ? $"first {kind} backup due {due:u}" : $"first {kind} backup pending");
            }

            if (record.Running)
            {
                requeue = RunningRequeue;
            }
            else if (record.NextDue is { } next && next > now && next - now + TimeSpan.FromSeconds(5) < requeue)
            {
                requeue = next - now + TimeSpan.FromSeconds(5);
            }
            else if (record.NextDue is { } overdue && overdue <= now)
            {
                requeue = TimeSpan.FromSeconds(15) < requeue ? TimeSpan.FromSeconds(15) : requeue;
            }
        }

        void Apply(MetricsStackStatus status) => status.Backup = new BackupStatus
        {
            Grafana = statuses.GetValueOrDefault(BackupKinds.Grafana),
            InfluxDb = statuses.GetValueOrDefault(BackupKinds.InfluxDb),
        };

        if (failures.Count > 0)
        {
            // A destination that is down is the likeliest cause and the one to say first.
            var reason = failures.Any(f => f.Reason == BackupReasons.DestinationUnavailable) ? BackupReasons.DestinationUnavailable : failures[0].Reason;
            return new StepOutcome(false, reason, string.Join("; ", failures.Select(f => f.Message)), requeue, Apply);
        }

        return pending.Count > 0
            ? new StepOutcome(true, BackupReasons.Scheduled, string.Join("; ", pending), requeue, Apply)
            : new StepOutcome(true, BackupReasons.Succeeded, "the latest backups succeeded: " + string.Join(", ", statuses.Select(s => s.Value.LastSnapshot)), requeue, Apply);
    }
}

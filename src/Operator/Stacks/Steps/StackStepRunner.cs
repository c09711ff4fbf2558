using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;

namespace MetricsOperator.Stacks.Steps;

/// <summary>What running the steps gave: the conditions to report (Ready recomputed), status fields to fill, when to look again.</summary>
/// <param name="Reports">Every component condition and Ready.</param>
/// <param name="ApplyStatus">The steps' status fields, to apply before status is written.</param>
/// <param name="RequeueAfter">The shortest delay a step asked for; null for none.</param>
public sealed record StepRun(IReadOnlyList<ConditionReport> Reports, Action<MetricsStackStatus> ApplyStatus, TimeSpan? RequeueAfter);

/// <summary>
/// Runs a stack's steps in order after its children are applied and folds each outcome into its condition. A step's
/// condition also needs its workload (e.g. InfluxDBReady needs InfluxDB's StatefulSet ready): while the workload
/// report is not True the step does not run and that report stands. A step that is not done, or did not run, stops
/// the steps after it (they depend on it); their conditions say what they wait for.
/// </summary>
public static class StackStepRunner
{
    /// <summary>The reason of a step's condition while an earlier step is not done.</summary>
    public const string WaitingReason = "Waiting";

    /// <summary>Runs <paramref name="steps"/> on top of the workload-derived <paramref name="reports"/>.</summary>
    public static async Task<StepRun> RunAsync(IEnumerable<IStackStep> steps, DefaultedStack stack, IReadOnlyList<ConditionReport> reports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(reports);
        var components = reports.Where(r => r.Type != MetricsStackConditions.Ready).ToList();
        var apply = new List<Action<MetricsStackStatus>>();
        TimeSpan? requeue = null;
        string? blockedBy = null;
        foreach (var step in steps)
        {
            if (!step.AppliesTo(stack))
            {
                continue;
            }

            var index = components.FindIndex(r => r.Type == step.ConditionType);
            var workload = index >= 0 ? components[index] : null;
            ConditionReport report;
            if (blockedBy is not null)
            {
                report = new ConditionReport(step.ConditionType, ConditionSet.False, WaitingReason, $"Waits for {blockedBy}");
            }
            else if (workload is not null && workload.Status != ConditionSet.True)
            {
                blockedBy = step.ConditionType;
                continue;
            }
            else
            {
                var outcome = await step.RunAsync(stack, cancellationToken).ConfigureAwait(false);
                report = new ConditionReport(step.ConditionType, outcome.Done ? ConditionSet.True : ConditionSet.False, outcome.Reason, outcome.Message);
                if (outcome.ApplyStatus is not null)
                {
                    apply.Add(outcome.ApplyStatus);
                }

                if (outcome.RequeueAfter is { } after)
                {
                    requeue = requeue is null || after < requeue ? after : requeue;
                }

                blockedBy = outcome.Done ? null : step.ConditionType;
            }

            if (index >= 0)
            {
                components[index] = report;
            }
            else
            {
                components.Add(report);
            }
        }

        return new StepRun([.. components, StackStatusReporter.Ready(components)], status => apply.ForEach(a => a(status)), requeue);
    }
}

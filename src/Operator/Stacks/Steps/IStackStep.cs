using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Steps;

/// <summary>
/// One part of bringing a MetricsStack to life that happens outside Kubernetes objects
/// (InfluxDB's setup, bucket and tokens; Grafana's contact points and notification policy).
/// The MetricsStack reconciler runs its steps in order after the children are applied, like
/// grafana-operator's sub-reconcilers: each owns one condition, and a step that is not done
/// stops the ones after it (they depend on it) until the next reconcile.
/// </summary>
public interface IStackStep
{
    /// <summary>The condition this step owns, e.g. <c>InfluxDBReady</c> or <c>AlertingReady</c>.</summary>
    string ConditionType { get; }

    /// <summary>
    /// Converges the external system toward the stack's spec. Idempotent; makes no write when
    /// nothing changed. Returns the condition to report; throws only for bugs (expected
    /// failures such as an unreachable server are outcomes, with a reason).
    /// </summary>
    Task<StepOutcome> RunAsync(DefaultedStack stack, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the step has anything to do for <paramref name="stack"/> (e.g. only with an external Grafana); when it
    /// has not, the runner leaves its condition as the workloads report it and goes on.
    /// </summary>
    bool AppliesTo(DefaultedStack stack) => true;
}

/// <summary>What a step reports.</summary>
/// <param name="Done">True when the step's condition is True and later steps may run.</param>
/// <param name="Reason">CamelCase reason for the condition.</param>
/// <param name="Message">A human message; never a secret.</param>
/// <param name="RequeueAfter">When to look again (e.g. backoff while a server is down); null for the resync period.</param>
/// <param name="ApplyStatus">Fills the status fields this step owns (bucket, Secret names) on the status about to be written.</param>
public sealed record StepOutcome(
    bool Done,
    string Reason,
    string Message,
    TimeSpan? RequeueAfter = null,
    Action<MetricsStackStatus>? ApplyStatus = null);

namespace MetricsOperator.Runtime.Reconcile;

/// <summary>What a reconcile asks the controller to do next with the object's key.</summary>
public enum ReconcileOutcome
{
    /// <summary>Converged: forget the key's failure history; the next event or resync brings it back.</summary>
    Done,

    /// <summary>Requeue with the key's exponential backoff (as if it had failed, but it is not an error).</summary>
    Requeue,

    /// <summary>Requeue after a fixed delay (timed work such as polling an external system).</summary>
    RequeueAfter,
}

/// <summary>
/// The result of <see cref="IReconciler{T}.ReconcileAsync"/>: done, requeue (with backoff) or requeue after a delay.
/// An exception means "retry with backoff"; a <see cref="TerminalReconcileException"/> means "do not retry".
/// </summary>
public readonly record struct ReconcileResult(ReconcileOutcome Outcome, TimeSpan Delay)
{
    /// <summary>The object converged.</summary>
    public static ReconcileResult Done { get; } = new(ReconcileOutcome.Done, TimeSpan.Zero);

    /// <summary>Come back soon, with the key's exponential backoff.</summary>
    public static ReconcileResult Requeue { get; } = new(ReconcileOutcome.Requeue, TimeSpan.Zero);

    /// <summary>Come back after <paramref name="delay"/> (a zero or negative delay requeues at once).</summary>
    public static ReconcileResult RequeueAfter(TimeSpan delay) => new(ReconcileOutcome.RequeueAfter, delay);
}

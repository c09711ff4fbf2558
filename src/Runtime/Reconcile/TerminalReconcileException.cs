namespace MetricsOperator.Runtime.Reconcile;

/// <summary>
/// A failure retrying cannot fix (an invalid spec, a missing permission the operator was never given).
/// The controller counts it as an error, records a Warning Event and forgets the key: it is not retried
/// until the object changes or the next resync.
/// </summary>
public class TerminalReconcileException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public TerminalReconcileException() : base("The reconcile failed and will not be retried.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> (no secrets: it goes into Events and logs).</summary>
    public TerminalReconcileException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public TerminalReconcileException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

namespace MetricsOperator.Fakes.Contracts;

/// <summary>Thrown by <see cref="ContractViolationLog"/> assertions: a request or response broke the API spec.</summary>
public sealed class ContractViolationException : Exception
{
    public ContractViolationException()
    {
    }

    public ContractViolationException(string message)
        : base(message)
    {
    }

    public ContractViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

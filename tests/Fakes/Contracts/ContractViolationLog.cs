using System.Collections.Concurrent;

namespace MetricsOperator.Fakes.Contracts;

/// <summary>
/// Every contract violation a fake saw, kept so a test can fail on them at its end.
/// Request violations are the client's (the operator's) fault; response violations are the fake's.
/// </summary>
public sealed class ContractViolationLog
{
    private readonly ConcurrentQueue<ContractViolation> violations = new();

    /// <summary>All violations so far, oldest first.</summary>
    public IReadOnlyList<ContractViolation> All => [.. violations];

    /// <summary>Requests the spec does not allow.</summary>
    public IReadOnlyList<ContractViolation> RequestViolations => [.. violations.Where(v => v.Side == ContractSide.Request)];

    /// <summary>Responses the spec does not allow.</summary>
    public IReadOnlyList<ContractViolation> ResponseViolations => [.. violations.Where(v => v.Side == ContractSide.Response)];

    /// <summary>Records a violation.</summary>
    public void Add(ContractViolation violation) => violations.Enqueue(violation);

    /// <summary>Forgets everything seen so far (e.g. after a test step that sent malformed requests on purpose).</summary>
    public void Clear() => violations.Clear();

    /// <summary>Fails when any request or response broke the spec.</summary>
    public void AssertNoContractViolations() => Throw(All);

    /// <summary>Fails when any response broke the spec; requests the test sent malformed on purpose are ignored.</summary>
    public void AssertNoResponseViolations() => Throw(ResponseViolations);

    private static void Throw(IReadOnlyList<ContractViolation> found)
    {
        if (found.Count > 0)
        {
            throw new ContractViolationException(
                $"{found.Count} contract violation(s):{Environment.NewLine}" +
                string.Join(Environment.NewLine, found.Select(v => "  " + v)));
        }
    }
}

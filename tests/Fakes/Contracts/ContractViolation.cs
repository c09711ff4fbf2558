namespace MetricsOperator.Fakes.Contracts;

/// <summary>Which side of the exchange broke the contract.</summary>
public enum ContractSide
{
    /// <summary>The client sent something the spec does not allow (the fake answered 400/404/405).</summary>
    Request,

    /// <summary>The fake itself answered something the spec does not allow: a bug in the fake.</summary>
    Response,
}

/// <summary>One request or response that the API spec does not allow.</summary>
/// <param name="Side">Request (client's fault) or response (fake's fault).</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path as sent.</param>
/// <param name="Template">Spec path template matched, or null when no template matched.</param>
/// <param name="Problems">What is wrong, each naming the parameter or JSON path.</param>
public sealed record ContractViolation(
    ContractSide Side, string Method, string Path, string? Template, IReadOnlyList<string> Problems)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Side} {Method} {Path} ({Template ?? "no template"}): {string.Join("; ", Problems)}";
}

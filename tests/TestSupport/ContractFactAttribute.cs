using MetricsOperator.Fakes.Contracts;
using Xunit;

namespace MetricsOperator.TestSupport;

/// <summary>
/// A test whose point is a third-party contract file (a spec the fakes check against, Telegraf's option lists): skipped,
/// naming the file, only when there is no contracts folder at all (no ../shared beside a user's clone and no
/// $METRICS_OPERATOR_CONTRACTS); with a folder, a missing file fails the test. Tests that merely use a fake need no
/// attribute: without a contracts folder the fake still keeps state, it just checks nothing against a spec.
/// </summary>
/// <param name="file">The file (or folder) under contracts/ the test needs, e.g. <c>influxdb/oss.yml</c>.</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractFactAttribute(string file) : FactAttribute
{
    /// <inheritdoc />
    public override string? Skip
    {
        get => base.Skip ?? ContractSkip.Reason(file);
        set => base.Skip = value;
    }
}

/// <summary>The theory form of <see cref="ContractFactAttribute"/>.</summary>
/// <param name="file">The file (or folder) under contracts/ the test needs.</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractTheoryAttribute(string file) : TheoryAttribute
{
    /// <inheritdoc />
    public override string? Skip
    {
        get => base.Skip ?? ContractSkip.Reason(file);
        set => base.Skip = value;
    }
}

internal static class ContractSkip
{
    public static string? Reason(string file) => ContractFiles.Available ? null : ContractFiles.AbsentReason(file);
}

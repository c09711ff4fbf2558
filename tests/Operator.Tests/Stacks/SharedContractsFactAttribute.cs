using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Stacks;

/// <summary>
/// A test that reads ../shared/contracts: skipped, with the reason, only when ../shared itself is absent (a
/// user's clone); when ../shared is there, a missing contract file fails the test.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class SharedContractsFactAttribute : FactAttribute
{
    public SharedContractsFactAttribute()
    {
        if (RepoPaths.Shared is null)
        {
            Skip = "../shared (the Telegraf sample configurations) is absent beside this checkout.";
        }
    }
}

using System.Collections.Concurrent;

namespace MetricsOperator.Runtime.Queue;

/// <summary>
/// Per-item exponential backoff, client-go's <c>ItemExponentialFailureRateLimiter</c>: the n-th consecutive failure of
/// an item waits <c>baseDelay * 2^n</c>, capped at <c>maxDelay</c>; <see cref="Forget"/> resets the item.
/// Defaults are client-go's: 5 ms doubling to 1000 s.
/// </summary>
public sealed class ExponentialBackoff<TKey>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, int> failures = new();

    /// <summary>Creates a backoff from <paramref name="baseDelay"/> (default 5 ms) to <paramref name="maxDelay"/> (default 1000 s).</summary>
    public ExponentialBackoff(TimeSpan? baseDelay = null, TimeSpan? maxDelay = null)
    {
        BaseDelay = baseDelay ?? TimeSpan.FromMilliseconds(5);
        MaxDelay = maxDelay ?? TimeSpan.FromSeconds(1000);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(BaseDelay, TimeSpan.Zero, nameof(baseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, BaseDelay, nameof(maxDelay));
    }

    /// <summary>The first delay.</summary>
    public TimeSpan BaseDelay { get; }

    /// <summary>The cap.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>Records one more failure of <paramref name="item"/> and returns how long it should wait.</summary>
    public TimeSpan When(TKey item)
    {
        var exponent = failures.AddOrUpdate(item, 1, static (_, n) => n == int.MaxValue ? n : n + 1) - 1;
        return DelayFor(exponent);
    }

    /// <summary>How many failures <paramref name="item"/> has had since it was last forgotten.</summary>
    public int NumRequeues(TKey item) => failures.TryGetValue(item, out var n) ? n : 0;

    /// <summary>Clears <paramref name="item"/>'s failure history (after a success).</summary>
    public void Forget(TKey item) => failures.TryRemove(item, out _);

    /// <summary>The delay after <paramref name="exponent"/> previous failures (pure).</summary>
    public TimeSpan DelayFor(int exponent)
    {
        // 2^exponent overflows long ticks long before exponent 63; the cap is reached far earlier.
        if (exponent >= 62)
        {
            return MaxDelay;
        }

        var ticks = BaseDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }
}

using System.Collections.Concurrent;

namespace MetricsOperator.Influx;

/// <summary>
/// How long to wait before looking at a stack's InfluxDB again after a failed attempt: doubling from a base to a
/// ceiling per consecutive failure, back to nothing after a success. Kept per stack (its UID) in memory: a restarted
/// operator simply starts from the base again.
/// </summary>
public sealed class InfluxBackoff(TimeSpan baseDelay, TimeSpan maxDelay)
{
    private readonly ConcurrentDictionary<string, int> failures = new(StringComparer.Ordinal);

    /// <summary>The delay for the <paramref name="failures"/>-th consecutive failure (1-based).</summary>
    public static TimeSpan Delay(int failures, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var exponent = Math.Min(failures - 1, 30);
        var ticks = baseDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Counts a failure of <paramref name="key"/> and returns how long to wait.</summary>
    public TimeSpan Failed(string key) => Delay(failures.AddOrUpdate(key, 1, static (_, n) => n + 1), baseDelay, maxDelay);

    /// <summary>Forgets the failures of <paramref name="key"/>.</summary>
    public void Succeeded(string key) => failures.TryRemove(key, out _);
}

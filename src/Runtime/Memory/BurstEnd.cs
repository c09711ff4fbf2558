namespace MetricsOperator.Runtime.Memory;

/// <summary>
/// Tells when a burst of reconciles has ended: at least <c>minimum</c> reconciles since the last time it said so, and
/// none for <c>quiet</c>. Pure: the caller hands it the running count and the time.
/// </summary>
public sealed class BurstEnd
{
    private readonly long minimum;
    private readonly TimeSpan quiet;
    private long countAtLastEnd;
    private long lastCount;
    private DateTimeOffset lastChange;

    /// <summary>Creates the policy; <paramref name="minimum"/> reconciles make a burst.</summary>
    public BurstEnd(long minimum, TimeSpan quiet)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(quiet, TimeSpan.Zero);
        this.minimum = minimum;
        this.quiet = quiet;
    }

    /// <summary>
    /// True once per burst, on the first call at least <c>quiet</c> after the count last moved, when it moved by at
    /// least <c>minimum</c> since the previous true.
    /// </summary>
    /// <param name="reconciles">Reconciles so far (a running count).</param>
    /// <param name="now">The time of this call.</param>
    public bool Ended(long reconciles, DateTimeOffset now)
    {
        if (reconciles != lastCount)
        {
            lastCount = reconciles;
            lastChange = now;
            return false;
        }

        if (now - lastChange < quiet || reconciles - countAtLastEnd < minimum)
        {
            return false;
        }

        countAtLastEnd = reconciles;
        return true;
    }
}

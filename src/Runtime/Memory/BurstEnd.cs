namespace MetricsOperator.Runtime.Memory;

/// <summary>
/// Tells when a burst has ended, from a running count (bytes allocated): the count grew by at least <c>minimum</c>
/// since the last time it said so, and then by no more than <c>quietTolerance</c> for <c>quiet</c>. Pure: the caller
/// hands it the count and the time.
/// </summary>
public sealed class BurstEnd
{
    private readonly long minimum;
    private readonly TimeSpan quiet;
    private readonly long quietTolerance;
    private long countAtLastEnd;
    private long countAtQuietStart;
    private DateTimeOffset quietSince;

    /// <summary>Creates the policy.</summary>
    /// <param name="minimum">How much the count grows in a burst.</param>
    /// <param name="quiet">How long it then stays (nearly) still before the burst counts as over.</param>
    /// <param name="quietTolerance">How much it may grow within that time and still be still (an idle process allocates a little).</param>
    public BurstEnd(long minimum, TimeSpan quiet, long quietTolerance)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(quiet, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(quietTolerance);
        this.minimum = minimum;
        this.quiet = quiet;
        this.quietTolerance = quietTolerance;
    }

    /// <summary>
    /// True once per burst: on the first call at least <c>quiet</c> after the count last grew by more than
    /// <c>quietTolerance</c>, when it grew by at least <c>minimum</c> since the previous true.
    /// </summary>
    /// <param name="count">The running count (it only grows).</param>
    /// <param name="now">The time of this call.</param>
    public bool Ended(long count, DateTimeOffset now)
    {
        if (count - countAtQuietStart > quietTolerance)
        {
            countAtQuietStart = count;
            quietSince = now;
            return false;
        }

        if (now - quietSince < quiet || count - countAtLastEnd < minimum)
        {
            return false;
        }

        countAtLastEnd = count;
        return true;
    }

    /// <summary>
    /// Whether the count has been (nearly) still for <c>quiet</c> as of the last <see cref="Ended"/> call, burst or
    /// not: the process is idle enough for a pause.
    /// </summary>
    public bool IsQuiet(DateTimeOffset now) => now - quietSince >= quiet;
}

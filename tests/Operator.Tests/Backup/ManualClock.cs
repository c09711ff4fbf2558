namespace MetricsOperator.Tests.Backup;

/// <summary>
/// A clock the test moves by hand. Reads and moves are locked: an operator's background loops read it while the test
/// moves it, and a <see cref="DateTimeOffset"/> is too wide to be read and written atomically.
/// </summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (gate)
        {
            now += by;
        }
    }
}

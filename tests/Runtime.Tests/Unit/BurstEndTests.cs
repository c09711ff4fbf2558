using MetricsOperator.Runtime.Memory;

namespace MetricsOperator.Runtime.Tests.Unit;

public class BurstEndTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double seconds) => Start.AddSeconds(seconds);

    [Fact]
    public void A_burst_ends_once_after_the_quiet_period_not_while_reconciles_go_on()
    {
        var burst = new BurstEnd(minimum: 100, quiet: TimeSpan.FromSeconds(5));

        // 150 reconciles over 3 s: the count moves at every look.
        burst.Ended(50, At(1)).ShouldBeFalse();
        burst.Ended(100, At(2)).ShouldBeFalse();
        burst.Ended(150, At(3)).ShouldBeFalse();

        burst.Ended(150, At(7.9)).ShouldBeFalse("4.9 s without a reconcile is not yet quiet");
        burst.Ended(150, At(8)).ShouldBeTrue("5 s without one after 150 reconciles");
        burst.Ended(150, At(9)).ShouldBeFalse("one burst, one end");
        burst.Ended(150, At(600)).ShouldBeFalse("nothing happened since");
    }

    [Fact]
    public void Fewer_reconciles_than_a_burst_add_up_to_one()
    {
        var burst = new BurstEnd(minimum: 100, quiet: TimeSpan.FromSeconds(5));
        burst.Ended(150, At(0)).ShouldBeFalse();
        burst.Ended(150, At(5)).ShouldBeTrue();

        // An edit now and then: 60 reconciles, quiet, then 50 more.
        burst.Ended(210, At(10)).ShouldBeFalse();
        burst.Ended(210, At(20)).ShouldBeFalse("60 since the last end are not a burst");
        burst.Ended(260, At(30)).ShouldBeFalse();
        burst.Ended(260, At(35)).ShouldBeTrue("110 since the last end are");
    }

    [Fact]
    public void Settings_out_of_range_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new BurstEnd(0, TimeSpan.FromSeconds(5)));
        Should.Throw<ArgumentOutOfRangeException>(() => new BurstEnd(1, TimeSpan.FromSeconds(-1)));
    }
}

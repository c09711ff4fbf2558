using MetricsOperator.Runtime.Queue;

namespace MetricsOperator.Runtime.Tests.Unit;

public class ExponentialBackoffTests
{
    [Fact]
    public void Delays_double_from_5ms_and_cap_at_1000s()
    {
        var backoff = new ExponentialBackoff<string>();
        var delays = Enumerable.Range(0, 40).Select(_ => backoff.When("k")).ToList();

        delays.Take(5).ShouldBe([
            TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20),
            TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(80),
        ]);
        delays[17].ShouldBe(TimeSpan.FromMilliseconds(5 * 131072)); // 655.36 s, the last one under the cap
        delays[18].ShouldBe(TimeSpan.FromSeconds(1000));
        delays.Skip(18).ShouldAllBe(d => d == TimeSpan.FromSeconds(1000));
        backoff.NumRequeues("k").ShouldBe(40);
    }

    [Fact]
    public void Forget_resets_one_key_only()
    {
        var backoff = new ExponentialBackoff<string>();
        backoff.When("a");
        backoff.When("a");
        backoff.When("b");
        backoff.Forget("a");
        backoff.When("a").ShouldBe(TimeSpan.FromMilliseconds(5));
        backoff.When("b").ShouldBe(TimeSpan.FromMilliseconds(10));
    }

    [Fact]
    public void Huge_failure_counts_stay_at_the_cap()
    {
        var backoff = new ExponentialBackoff<string>();
        backoff.DelayFor(int.MaxValue).ShouldBe(TimeSpan.FromSeconds(1000));
        backoff.DelayFor(61).ShouldBe(TimeSpan.FromSeconds(1000));
    }
}

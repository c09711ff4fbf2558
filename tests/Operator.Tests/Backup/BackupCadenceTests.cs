using MetricsOperator.Backup.Scheduling;

namespace MetricsOperator.Tests.Backup;

/// <summary>When scheduled backups are due: intervals, cron, retries after failures.</summary>
public sealed class BackupCadenceTests
{
    private static readonly DateTimeOffset T = new(2025, 6, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Grafana_runs_at_once_then_every_interval()
    {
        BackupCadence.NextGrafana(null, 0, TimeSpan.FromMinutes(5)).ShouldBeLessThanOrEqualTo(T);
        BackupCadence.NextGrafana(T, 0, TimeSpan.FromMinutes(5)).ShouldBe(T.AddMinutes(5));
    }

    [Fact]
    public void A_failure_is_retried_with_backoff_but_never_later_than_the_interval()
    {
        BackupCadence.NextGrafana(T, 1, TimeSpan.FromMinutes(5)).ShouldBe(T.AddSeconds(30));
        BackupCadence.NextGrafana(T, 2, TimeSpan.FromMinutes(5)).ShouldBe(T.AddSeconds(60));
        BackupCadence.NextGrafana(T, 5, TimeSpan.FromMinutes(5)).ShouldBe(T.AddMinutes(5));
        BackupCadence.RetryDelay(30).ShouldBe(BackupCadence.RetryMax);
    }

    [Fact]
    public void InfluxDB_waits_for_its_schedule_and_retries_a_failure_before_the_next_one()
    {
        var daily = CronSchedule.Parse("0 3 * * *");
        BackupCadence.NextInflux(daily, T, 0).ShouldBe(T.AddHours(1));
        var ranAt = T.AddHours(1);
        BackupCadence.NextInflux(daily, ranAt, 0).ShouldBe(ranAt.AddDays(1));
        BackupCadence.NextInflux(daily, ranAt, 1).ShouldBe(ranAt.AddSeconds(30));
        BackupCadence.NextInflux(daily, ranAt, 20).ShouldBe(ranAt.AddMinutes(10));
        BackupCadence.NextInflux(CronSchedule.Parse("*/5 * * * *"), ranAt, 20).ShouldBe(ranAt.AddMinutes(5), "the regular time comes before the retry");
    }

    [Theory]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("1d", 86400)]
    [InlineData("1w", 604800)]
    public void Intervals_parse(string text, int seconds)
    {
        BackupCadence.TryParseInterval(text, out _).ShouldBe(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData("30s", "shorter than 1m")]
    [InlineData("5 minutes", "is not a duration")]
    [InlineData("", "is not a duration")]
    public void Bad_intervals_are_refused(string text, string problem)
    {
        BackupCadence.TryParseInterval(text, out var message).ShouldBeNull();
        message.ShouldNotBeNull().ShouldContain(problem);
    }
}

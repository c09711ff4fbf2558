using MetricsOperator.Backup.Scheduling;

namespace MetricsOperator.Tests.Backup;

/// <summary>The 5-field cron parser and its next-time computation (UTC).</summary>
public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 34, 56, TimeSpan.Zero); // a Sunday

    [Theory]
    [InlineData("0 3 * * *", "2025-06-02T03:00:00Z")]
    [InlineData("*/15 * * * *", "2025-06-01T12:45:00Z")]
    [InlineData("30 12 * * *", "2025-06-02T12:30:00Z")]
    [InlineData("0 0 1 * *", "2025-07-01T00:00:00Z")]
    [InlineData("0 6 * * 1-5", "2025-06-02T06:00:00Z")]
    [InlineData("0 6 * * 7", "2025-06-08T06:00:00Z")]
    [InlineData("0 0 13 * 5", "2025-06-06T00:00:00Z")] // both day fields restricted: either matches (Friday 6th)
    [InlineData("5,35 */2 * * *", "2025-06-01T12:35:00Z")]
    [InlineData("5,35 1-23/2 * * *", "2025-06-01T13:05:00Z")]
    [InlineData("0 10-14/2 * * *", "2025-06-01T14:00:00Z")]
    [InlineData("@daily", "2025-06-02T00:00:00Z")]
    [InlineData("@hourly", "2025-06-01T13:00:00Z")]
    [InlineData("@weekly", "2025-06-08T00:00:00Z")]
    [InlineData("0 0 29 2 *", "2028-02-29T00:00:00Z")]
    public void Next_is_the_first_matching_minute_after(string schedule, string expected)
    {
        CronSchedule.Parse(schedule).Next(Start).ShouldBe(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Next_is_strictly_after_a_matching_minute()
    {
        var at = new DateTimeOffset(2025, 6, 1, 3, 0, 0, TimeSpan.Zero);
        CronSchedule.Parse("0 3 * * *").Next(at).ShouldBe(at.AddDays(1));
    }

    [Fact]
    public void A_date_that_never_comes_has_no_next()
    {
        CronSchedule.Parse("0 0 31 2 *").Next(Start).ShouldBeNull();
    }

    [Theory]
    [InlineData("0 3 * *", "has 4 fields")]
    [InlineData("0 0 3 * * *", "has 6 fields")]
    [InlineData("60 3 * * *", "minute field \"60\": 60 is outside 0-59")]
    [InlineData("0 24 * * *", "hour field")]
    [InlineData("0 3 0 * *", "day-of-month field")]
    [InlineData("0 3 * JAN *", "month field \"JAN\"")]
    [InlineData("0 3 * * MON", "day-of-week field \"MON\"")]
    [InlineData("0 3 L * *", "day-of-month field \"L\"")]
    [InlineData("*/0 * * * *", "minute field \"*/0\": step")]
    [InlineData("0 5-3 * * *", "runs backwards")]
    [InlineData("", "has 0 fields")]
    public void Unsupported_schedules_are_refused_naming_the_field(string schedule, string problem)
    {
        CronSchedule.TryParse(schedule, out var message).ShouldBeNull();
        message.ShouldNotBeNull().ShouldContain(problem);
    }
}

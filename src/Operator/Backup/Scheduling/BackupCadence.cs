using System.Globalization;
using System.Text.RegularExpressions;

namespace MetricsOperator.Backup.Scheduling;

/// <summary>
/// When a backup is due: pure decisions on times, tested without a clock. Grafana runs every interval (first run at
/// once); InfluxDB on its cron schedule (the first run at the first scheduled time after the operator saw the stack).
/// A failed run is retried with backoff (30 s doubling to 10 min), but never later than the next regular time.
/// </summary>
public static partial class BackupCadence
{
    /// <summary>First retry delay after a failure.</summary>
    public static readonly TimeSpan RetryBase = TimeSpan.FromSeconds(30);

    /// <summary>Longest retry delay.</summary>
    public static readonly TimeSpan RetryMax = TimeSpan.FromMinutes(10);

    /// <summary>The delay before retry number <paramref name="failures"/> (1 after the first failure).</summary>
    public static TimeSpan RetryDelay(int failures)
    {
        if (failures <= 0)
        {
            return TimeSpan.Zero;
        }

        var seconds = RetryBase.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 20));
        return TimeSpan.FromSeconds(Math.Min(seconds, RetryMax.TotalSeconds));
    }

    /// <summary>When the next Grafana backup is due.</summary>
    /// <param name="lastAttempt">When the last run started; null when none ran yet (due at once).</param>
    /// <param name="failures">Consecutive failures so far (0 after a success).</param>
    /// <param name="interval">spec.backup.grafana.interval.</param>
    public static DateTimeOffset NextGrafana(DateTimeOffset? lastAttempt, int failures, TimeSpan interval)
    {
        if (lastAttempt is not { } last)
        {
            return DateTimeOffset.MinValue;
        }

        var retry = RetryDelay(failures);
        return last + (failures > 0 && retry < interval ? retry : interval);
    }

    /// <summary>When the next InfluxDB backup is due.</summary>
    /// <param name="schedule">spec.backup.influxdb.schedule.</param>
    /// <param name="since">When the last run started, or when the stack was first seen when none ran.</param>
    /// <param name="failures">Consecutive failures so far (0 after a success).</param>
    public static DateTimeOffset? NextInflux(CronSchedule schedule, DateTimeOffset since, int failures)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var regular = schedule.Next(since);
        if (failures == 0)
        {
            return regular;
        }

        var retry = since + RetryDelay(failures);
        return regular is { } r && r < retry ? r : retry;
    }

    /// <summary>Parses an interval such as <c>5m</c>, <c>1h30m</c>, <c>1d</c> (units w d h m s); null and a problem when invalid or under 1 minute.</summary>
    public static TimeSpan? TryParseInterval(string? text, out string? problem)
    {
        problem = null;
        var match = IntervalPattern().Match(text ?? "");
        if (!match.Success)
        {
            problem = $"interval \"{text}\" is not a duration such as 5m or 1h";
            return null;
        }

        double seconds = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = part.Value[^1];
            var value = double.Parse(part.Value.AsSpan(0, part.Value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture);
            seconds += value * unit switch { 'w' => 604800, 'd' => 86400, 'h' => 3600, 'm' => 60, _ => 1 };
        }

        if (seconds < 60)
        {
            problem = $"interval \"{text}\" is shorter than 1m";
            return null;
        }

        return TimeSpan.FromSeconds(seconds);
    }

    [GeneratedRegex("^(?<part>[0-9]{1,9}[wdhms])+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntervalPattern();
}

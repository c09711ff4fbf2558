using MetricsOperator.Crds;

namespace MetricsOperator.Alerts.QueryChecks;

/// <summary>
/// A rule's query as InfluxDB can run it outside Grafana: Grafana's macros replaced by a short recent range, so the
/// check reads little. InfluxQL: <c>$timeFilter</c> (the InfluxQL datasource's time condition), <c>$__interval</c>,
/// <c>$interval</c> and <c>$__interval_ms</c>; Flux: <c>v.timeRangeStart</c>, <c>v.timeRangeStop</c> and
/// <c>v.windowPeriod</c>, the record Grafana's Flux datasource defines. Pure.
/// </summary>
public static class QueryMacros
{
    /// <summary>How far back a check reads.</summary>
    public const string CheckRange = "5m";

    /// <summary>The GROUP BY / window interval a check uses.</summary>
    public const string CheckInterval = "1m";

    /// <summary><paramref name="text"/> with the macros of <paramref name="language"/> replaced.</summary>
    public static string ForCheck(QueryLanguage language, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return language == QueryLanguage.Flux
            ? text.Replace("v.timeRangeStart", "-" + CheckRange, StringComparison.Ordinal)
                .Replace("v.timeRangeStop", "now()", StringComparison.Ordinal)
                .Replace("v.windowPeriod", CheckInterval, StringComparison.Ordinal)
            // $__interval_ms before $__interval, which is its prefix.
            : text.Replace("$timeFilter", $"time > now() - {CheckRange}", StringComparison.Ordinal)
                .Replace("$__interval_ms", "60000", StringComparison.Ordinal)
                .Replace("$__interval", CheckInterval, StringComparison.Ordinal)
                .Replace("$interval", CheckInterval, StringComparison.Ordinal);
    }
}

using System.Globalization;

namespace MetricsOperator.Alerts.QueryChecks;

/// <summary>What status says about a rule's queries (status.rules[].queryCheck) and the AppAlert's (Ready's message). Pure.</summary>
public static class QueryCheckStatus
{
    /// <summary>The rule's line, or null when its queries were not asked about (check off, or the rule is not written).</summary>
    public static string? ForRule(QueryCheckResult check, string rule)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (check.Disabled)
        {
            return null;
        }

        if (check.Unchecked is { } why)
        {
            // No recheck time here: it moves on every recheck, and status would change (a write per AppAlert) each time.
            return $"not checked since {Time(check.UncheckedSince)}: {why}; asked again until InfluxDB answers";
        }

        var refused = check.Refused.Where(p => p.Rule == rule).Select(p => $"{p.Field}: {p.Message}").ToList();
        if (refused.Count > 0)
        {
            return "refused: " + string.Join("; ", refused);
        }

        if (!check.CheckedAt.TryGetValue(rule, out var at))
        {
            return null;
        }

        return check.WithoutData.TryGetValue(rule, out var empty)
            ? $"no data in the last {QueryMacros.CheckRange} (queries {string.Join(", ", empty)}) when checked at {Time(at)}"
            : $"data in the last {QueryMacros.CheckRange} when checked at {Time(at)}";
    }

    /// <summary>What the Ready message adds when the queries could not be checked; empty otherwise.</summary>
    public static string ReadySuffix(QueryCheckResult check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.Unchecked is { } why ? $"; synced without the query check since {Time(check.UncheckedSince)} ({why})" : "";
    }

    private static string Time(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "a while";
}

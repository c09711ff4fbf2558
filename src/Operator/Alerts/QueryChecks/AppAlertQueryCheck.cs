using MetricsOperator.Crds;

namespace MetricsOperator.Alerts.QueryChecks;

/// <summary>What the query check found for one AppAlert's plan.</summary>
/// <param name="Refused">InfluxDB's refusals, each naming the rule and query and quoting InfluxDB; non-empty means nothing is written.</param>
/// <param name="WithoutData">Per rule, the queries that parsed but found nothing in the last 5 minutes (fine: reported, not refused).</param>
public sealed record QueryCheckResult(IReadOnlyList<RuleProblem> Refused, IReadOnlyDictionary<string, IReadOnlyList<string>> WithoutData)
{
    /// <summary>The Ready=False message for <see cref="AppAlertReasons.InvalidQuery"/>.</summary>
    public string Message => string.Join("; ", Refused.Select(p => p.ToString()));

    /// <summary>Per checked rule, when InfluxDB was asked about its queries (the oldest of its verdicts).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> CheckedAt { get; init; } = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);

    /// <summary>Why InfluxDB could not be asked (the rules are synced unchecked); null when it answered or was not needed.</summary>
    public string? Unchecked { get; init; }

    /// <summary>Since when InfluxDB could not be asked (the first failure of this outage); set with <see cref="Unchecked"/>.</summary>
    public DateTimeOffset? UncheckedSince { get; init; }

    /// <summary>Whether the check is switched off for this operator.</summary>
    public bool Disabled { get; init; }

    /// <summary>When the check should run again: a "no data" verdict goes stale, or InfluxDB could not be asked.</summary>
    public DateTimeOffset? RecheckAt { get; init; }

    /// <summary>No check was made (switched off).</summary>
    public static QueryCheckResult Off { get; } = new([], new Dictionary<string, IReadOnlyList<string>>()) { Disabled = true };

    /// <summary>InfluxDB could not be asked since <paramref name="since"/>: nothing is known, asked again at <paramref name="recheckAt"/>.</summary>
    public static QueryCheckResult Unavailable(string why, DateTimeOffset since, DateTimeOffset recheckAt) =>
        new([], new Dictionary<string, IReadOnlyList<string>>()) { Unchecked = why, UncheckedSince = since, RecheckAt = recheckAt };
}

/// <summary>
/// The check made before an AppAlert's group is synced: each query of each rule the plan would write, asked of the
/// stack's InfluxDB through the verdict cache. One AppAlert's queries only: its verdicts decide nothing for another.
/// </summary>
public static class AppAlertQueryCheck
{
    /// <summary>Checks the queries of the rules of <paramref name="alert"/> that <paramref name="plan"/> would write.</summary>
    /// <exception cref="QueryCheckUnavailableException">InfluxDB could not be asked.</exception>
    public static Task<QueryCheckResult> CheckAsync(V1Alpha1AppAlert alert, AlertPlan plan, InfluxQueryChecker checker, QueryVerdictCache cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checker);
        ArgumentNullException.ThrowIfNull(cache);
        return CheckAsync(alert, plan, (language, text, ct) => cache.GetAsync(checker, language, text, ct), cache, cancellationToken);
    }

    /// <summary>Checks the queries of the rules <paramref name="plan"/> would write, each verdict from <paramref name="verdictOf"/>.</summary>
    /// <exception cref="QueryCheckUnavailableException">InfluxDB could not be asked.</exception>
    public static async Task<QueryCheckResult> CheckAsync(
        V1Alpha1AppAlert alert, AlertPlan plan, Func<QueryLanguage, string, CancellationToken, Task<QueryVerdict>> verdictOf, QueryVerdictCache cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(verdictOf);
        ArgumentNullException.ThrowIfNull(cache);
        var refused = new List<RuleProblem>();
        var empty = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var checkedAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        DateTimeOffset? recheckAt = null;
        var written = (plan.Group?.Rules ?? []).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var rules = alert.Spec?.Rules ?? [];
        var asked = new List<(string Rule, QueryStep Query)>();
        for (var i = 0; i < rules.Count; i++)
        {
            if (written.Contains(rules[i].Name))
            {
                asked.AddRange(RuleSteps.Of(rules[i], $"spec.rules[{i}]").Queries.Select(q => (rules[i].Name, q)));
            }
        }

        // All at once: each is a round trip to InfluxDB (or a cache hit), and one after another they were most of a
        // reconcile's time (docs/performance.md). The verdicts are then read in the rules' order, as before.
        var verdicts = await Task.WhenAll(asked.Select(a => verdictOf(a.Query.Language, a.Query.Text, cancellationToken)));
        for (var k = 0; k < asked.Count; k++)
        {
            var (rule, query) = asked[k];
            var verdict = verdicts[k];
            if (verdict.CheckedAt is { } at)
            {
                checkedAt[rule] = checkedAt.TryGetValue(rule, out var earlier) && earlier < at ? earlier : at;
            }

            if (verdict.Outcome == QueryOutcome.Invalid)
            {
                refused.Add(new RuleProblem(rule, $"{query.Field}.text", $"InfluxDB refused the {query.Language} query: {verdict.Message}"));
            }
            else if (verdict.Outcome == QueryOutcome.NoData)
            {
                if (!empty.TryGetValue(rule, out var names))
                {
                    names = [];
                    empty[rule] = names;
                }

                names.Add(query.Name);
                if (cache.NoDataRecheckAt(verdict) is { } due && (recheckAt is null || due < recheckAt))
                {
                    recheckAt = due;
                }
            }
        }

        var withoutData = empty.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value, StringComparer.Ordinal);
        return new QueryCheckResult(refused, withoutData) { CheckedAt = checkedAt, RecheckAt = recheckAt };
    }
}

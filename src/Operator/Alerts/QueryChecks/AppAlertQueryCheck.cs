using MetricsOperator.Crds;

namespace MetricsOperator.Alerts.QueryChecks;

/// <summary>What the query check found for one AppAlert's plan.</summary>
/// <param name="Refused">InfluxDB's refusals, each naming the rule and query and quoting InfluxDB; non-empty means nothing is written.</param>
/// <param name="WithoutData">Per rule, the queries that parsed but found nothing in the last 5 minutes (fine: reported, not refused).</param>
public sealed record QueryCheckResult(IReadOnlyList<RuleProblem> Refused, IReadOnlyDictionary<string, IReadOnlyList<string>> WithoutData)
{
    /// <summary>The Ready=False message for <see cref="AppAlertReasons.InvalidQuery"/>.</summary>
    public string Message => string.Join("; ", Refused.Select(p => p.ToString()));
}

/// <summary>
/// The check made before an AppAlert's group is synced: each query of each rule the plan would write, asked of the
/// stack's InfluxDB through the verdict cache. One AppAlert's queries only: its verdicts decide nothing for another.
/// </summary>
public static class AppAlertQueryCheck
{
    /// <summary>Checks the queries of the rules of <paramref name="alert"/> that <paramref name="plan"/> would write.</summary>
    /// <exception cref="QueryCheckUnavailableException">InfluxDB could not be asked.</exception>
    public static async Task<QueryCheckResult> CheckAsync(V1Alpha1AppAlert alert, AlertPlan plan, InfluxQueryChecker checker, QueryVerdictCache cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(checker);
        ArgumentNullException.ThrowIfNull(cache);
        var refused = new List<RuleProblem>();
        var withoutData = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var written = (plan.Group?.Rules ?? []).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var rules = alert.Spec?.Rules ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            var (rule, path) = (rules[i], $"spec.rules[{i}]");
            if (!written.Contains(rule.Name))
            {
                continue;
            }

            var empty = new List<string>();
            foreach (var query in RuleSteps.Of(rule, path).Queries)
            {
                var verdict = await cache.GetAsync(checker, query.Language, query.Text, cancellationToken);
                if (verdict.Outcome == QueryOutcome.Invalid)
                {
                    refused.Add(new RuleProblem(rule.Name, $"{query.Field}.text", $"InfluxDB refused the {query.Language} query: {verdict.Message}"));
                }
                else if (verdict.Outcome == QueryOutcome.NoData)
                {
                    empty.Add(query.Name);
                }
            }

            if (empty.Count > 0)
            {
                withoutData[rule.Name] = empty;
            }
        }

        return new QueryCheckResult(refused, withoutData);
    }
}

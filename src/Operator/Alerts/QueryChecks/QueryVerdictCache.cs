using System.Collections.Concurrent;
using MetricsOperator.Crds;

namespace MetricsOperator.Alerts.QueryChecks;

/// <summary>
/// Verdicts by InfluxDB, language and query text, shared by every AppAlert: a resync (or another AppAlert with the same
/// query) asks InfluxDB nothing again. A NoData verdict is kept too: the query parsed, which is what the check is for,
/// and status says "no data when first checked" rather than asking again on every resync. Bounded: at
/// <see cref="Capacity"/> entries the cache starts over.
/// </summary>
public sealed class QueryVerdictCache
{
    /// <summary>The most verdicts kept.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<(string Target, QueryLanguage Language, string Text), QueryVerdict> verdicts = new();

    /// <summary>How many times InfluxDB was asked (for tests and the benchmark).</summary>
    public int Requests => requests;

    private int requests;

    /// <summary>The verdict on <paramref name="text"/>, from the cache or from <paramref name="checker"/>.</summary>
    public async Task<QueryVerdict> GetAsync(InfluxQueryChecker checker, QueryLanguage language, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checker);
        var key = (checker.Target, language, text);
        if (verdicts.TryGetValue(key, out var known))
        {
            return known;
        }

        Interlocked.Increment(ref requests);
        var verdict = await checker.CheckAsync(language, text, cancellationToken);
        if (verdicts.Count >= Capacity)
        {
            verdicts.Clear();
        }

        verdicts[key] = verdict;

        return verdict;
    }
}

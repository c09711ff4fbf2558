using System.Collections.Concurrent;
using MetricsOperator.Crds;

namespace MetricsOperator.Alerts.QueryChecks;

/// <summary>
/// Verdicts by InfluxDB (<see cref="InfluxQueryChecker.Target"/>), language and query text, shared by every AppAlert of
/// the process: a resync (or another AppAlert with the same query) asks InfluxDB nothing again. "Invalid" and "data" are
/// kept while the text is the same; "no data" for <see cref="QueryCheckOptions.NoDataRecheck"/>, so status turns to
/// "data" once the app writes, while resyncs in between ask nothing. Each verdict carries when InfluxDB was asked.
/// Bounded: at <see cref="Capacity"/> entries the cache starts over.
/// </summary>
public sealed class QueryVerdictCache(TimeProvider? time = null, TimeSpan? noDataRecheck = null)
{
    /// <summary>The most verdicts kept.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<(string Target, QueryLanguage Language, string Text), QueryVerdict> verdicts = new();
    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly TimeSpan noDataFor = noDataRecheck ?? QueryCheckOptions.Default.NoDataRecheck;
    private int requests;

    /// <summary>How many times InfluxDB was asked (for tests and the benchmark).</summary>
    public int Requests => requests;

    /// <summary>The verdict on <paramref name="text"/>, from the cache or from <paramref name="checker"/>.</summary>
    public Task<QueryVerdict> GetAsync(InfluxQueryChecker checker, QueryLanguage language, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checker);
        return GetAsync(checker.Target, language, text, _ => Task.FromResult(checker), cancellationToken);
    }

    /// <summary>
    /// The verdict on <paramref name="text"/> at <paramref name="target"/>, from the cache or by a checker that
    /// <paramref name="connect"/> makes only when InfluxDB must be asked (so a resync reads no token either).
    /// </summary>
    /// <exception cref="QueryCheckUnavailableException">InfluxDB (or its token) could not be had; nothing is cached.</exception>
    public async Task<QueryVerdict> GetAsync(string target, QueryLanguage language, string text, Func<CancellationToken, Task<InfluxQueryChecker>> connect, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(connect);
        var key = (target, language, text);
        if (verdicts.TryGetValue(key, out var known) && !Stale(known))
        {
            return known;
        }

        var checker = await connect(cancellationToken);
        Interlocked.Increment(ref requests);
        var verdict = (await checker.CheckAsync(language, text, cancellationToken)) with { CheckedAt = clock.GetUtcNow() };
        if (verdicts.Count >= Capacity)
        {
            verdicts.Clear();
        }

        verdicts[key] = verdict;
        return verdict;
    }

    /// <summary>When the cached "no data" verdict on a query is asked again (null: it is not "no data", or not cached).</summary>
    public DateTimeOffset? NoDataRecheckAt(QueryVerdict verdict) =>
        verdict is { Outcome: QueryOutcome.NoData, CheckedAt: { } at } ? at + noDataFor : null;

    private bool Stale(QueryVerdict verdict) => NoDataRecheckAt(verdict) is { } due && clock.GetUtcNow() >= due;
}

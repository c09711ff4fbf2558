using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MetricsOperator.Crds;

namespace MetricsOperator.Alerts.QueryChecks;

/// <summary>
/// Verdicts by InfluxDB (<see cref="InfluxQueryChecker.Target"/>), language and query text, shared by every AppAlert of
/// the process: a resync (or another AppAlert with the same query) asks InfluxDB nothing again. "Invalid" and "data" are
/// kept while the text is the same; "no data" for <see cref="QueryCheckOptions.NoDataRecheck"/>, so status turns to
/// "data" once the app writes, while resyncs in between ask nothing. Each verdict carries when InfluxDB was asked.
/// Bounded: at <see cref="Capacity"/> entries the cache starts over. Keyed by a digest of the three, not the texts: the
/// expanded query texts (and a target string built per reconcile) were 1.1 MB of the operator's live objects at 1000
/// AppAlerts × 5 rules (docs/performance.md, sixteenth pass).
/// </summary>
public sealed class QueryVerdictCache(TimeProvider? time = null, TimeSpan? noDataRecheck = null)
{
    /// <summary>The most verdicts kept.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<UInt128, QueryVerdict> verdicts = new();
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
        var key = KeyOf(target, language, text);
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

    // SHA-256 of the target, the language and the text, cut to 128 bits: 16 bytes a query, and two texts that share a key
    // stay out of reach even for someone choosing texts to make one (a shared key would give one query the other's
    // verdict). A URL holds no NUL, so the target ends where the NUL is.
    private static UInt128 KeyOf(string target, QueryLanguage language, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var length = Encoding.UTF8.GetMaxByteCount(target.Length + text.Length) + 2;
        var rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            var buffer = rented is null ? stackalloc byte[1024] : rented.AsSpan();
            var written = Encoding.UTF8.GetBytes(target, buffer);
            buffer[written++] = 0;
            buffer[written++] = (byte)language;
            written += Encoding.UTF8.GetBytes(text, buffer[written..]);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer[..written], digest);
            return new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(digest), BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private bool Stale(QueryVerdict verdict) => NoDataRecheckAt(verdict) is { } due && clock.GetUtcNow() >= due;
}

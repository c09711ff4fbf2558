using System.Collections.Concurrent;
using System.Diagnostics;

namespace MetricsOperator.Fakes.Hosting;

/// <summary>
/// Counts requests by method and spec template (<c>PUT /api/v1/provisioning/folder/{FolderUID}/rule-groups/{Group}</c>),
/// so a test can assert "zero writes on a no-op resync" or "at most 5 requests per resync".
/// Requests refused while the fake is down never arrive and are not counted; everything that arrives is, faults included.
/// </summary>
public sealed class RequestCounter
{
    private readonly ConcurrentDictionary<string, long> counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Ticks, long Answered)> answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> arrivals = new(StringComparer.Ordinal);
    private long total;
    private long writes;

    /// <summary>All requests that arrived.</summary>
    public long Total => Interlocked.Read(ref total);

    /// <summary>Requests with a method other than GET, HEAD or OPTIONS.</summary>
    public long Writes => Interlocked.Read(ref writes);

    /// <summary>Requests for one method and template (or raw path when the spec has no template for it).</summary>
    public long Count(string method, string template) =>
        counts.GetValueOrDefault(Key(method, template));

    /// <summary>
    /// When each request for one method and template arrived, in order (since an arbitrary fixed origin): a test of
    /// retry pacing reads the gaps between them, which hold under load where counts per time window do not.
    /// </summary>
    public IReadOnlyList<TimeSpan> Arrivals(string method, string template) =>
        arrivals.TryGetValue(Key(method, template), out var times) ? [.. times.Select(at => Stopwatch.GetElapsedTime(0, at))] : [];

    /// <summary>Every "METHOD template" seen, with its count.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(counts, StringComparer.Ordinal);

    /// <summary>
    /// Per "METHOD template": the requests the fake's handlers answered (not injected faults) and the mean time they
    /// took, in milliseconds, from the request reaching the pipeline to the handler's return (a benchmark reads where
    /// a client's waits went).
    /// </summary>
    public IReadOnlyDictionary<string, (long Count, double MeanMs)> AnswerTimes() => new SortedDictionary<string, (long, double)>(
        answers.ToDictionary(kv => kv.Key, kv => (kv.Value.Answered, TimeSpan.FromTicks(kv.Value.Ticks).TotalMilliseconds / kv.Value.Answered)),
        StringComparer.Ordinal);

    /// <summary>Starts counting from zero (e.g. after the initial sync, before the no-op resync).</summary>
    public void Reset()
    {
        counts.Clear();
        answers.Clear();
        arrivals.Clear();
        Interlocked.Exchange(ref total, 0);
        Interlocked.Exchange(ref writes, 0);
    }

    internal void Record(string method, string template)
    {
        var key = Key(method, template);
        counts.AddOrUpdate(key, 1, static (_, n) => n + 1);
        arrivals.GetOrAdd(key, static _ => new ConcurrentQueue<long>()).Enqueue(Stopwatch.GetTimestamp());
        Interlocked.Increment(ref total);
        if (!HttpMethods.IsRead(method))
        {
            Interlocked.Increment(ref writes);
        }
    }

    internal void RecordAnswerTime(string method, string template, TimeSpan elapsed) =>
        answers.AddOrUpdate(Key(method, template), (elapsed.Ticks, 1), (_, a) => (a.Ticks + elapsed.Ticks, a.Answered + 1));

    private static string Key(string method, string template) => $"{method.ToUpperInvariant()} {template}";
}

internal static class HttpMethods
{
    public static bool IsRead(string method) =>
        method.Equals("GET", StringComparison.OrdinalIgnoreCase) ||
        method.Equals("HEAD", StringComparison.OrdinalIgnoreCase) ||
        method.Equals("OPTIONS", StringComparison.OrdinalIgnoreCase);
}

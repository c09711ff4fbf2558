using System.Globalization;

namespace MetricsOperator.Runtime.Bench;

/// <summary>Counts the requests that pass through a client by verb: GET (one object), LIST, WATCH, PATCH, POST, PUT, DELETE.</summary>
internal sealed class VerbCounter(IEnumerable<string> collectionNames) : DelegatingHandler
{
    public static readonly string[] Verbs = ["GET", "LIST", "WATCH", "PATCH", "POST", "PUT", "DELETE"];

    private readonly HashSet<string> collections = new(collectionNames, StringComparer.Ordinal);
    private readonly long[] counts = new long[Verbs.Length];

    public RequestCounts Snapshot() => new([.. Enumerable.Range(0, counts.Length).Select(i => Interlocked.Read(ref counts[i]))]);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref counts[Classify(request)]);
        return base.SendAsync(request, cancellationToken);
    }

    private int Classify(HttpRequestMessage request)
    {
        var method = request.Method.Method;
        if (method != "GET")
        {
            var i = Array.IndexOf(Verbs, method);
            return i < 0 ? Array.IndexOf(Verbs, "POST") : i;
        }

        var uri = request.RequestUri!;
        if (uri.Query.Contains("watch=true", StringComparison.Ordinal))
        {
            return Array.IndexOf(Verbs, "WATCH");
        }

        var last = uri.AbsolutePath.TrimEnd('/').Split('/')[^1];
        return Array.IndexOf(Verbs, collections.Contains(last) ? "LIST" : "GET");
    }
}

/// <summary>Request counts by verb (in <see cref="VerbCounter.Verbs"/> order).</summary>
internal sealed record RequestCounts(long[] ByVerb)
{
    public long Total => ByVerb.Sum();

    /// <summary>PATCH + POST + PUT + DELETE.</summary>
    public long Writes => ByVerb[3] + ByVerb[4] + ByVerb[5] + ByVerb[6];

    public static RequestCounts operator -(RequestCounts after, RequestCounts before) =>
        new([.. after.ByVerb.Zip(before.ByVerb, (a, b) => a - b)]);

    public RequestCounts Subtract(RequestCounts before) => this - before;

    public override string ToString() =>
        string.Join(" ", VerbCounter.Verbs.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"{v} {ByVerb[i]}")));
}

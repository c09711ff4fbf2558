using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Influx;

/// <summary>
/// A real InfluxQL engine behind the fake's v1 <c>/query</c>: an InfluxDB 1.x (<c>influxd</c> 1.6.7 in the tests, whose
/// parser and query engine are the ones InfluxDB 2 serves InfluxQL with) that holds a copy of every point the fake
/// accepts, one database per bucket named as the bucket (the database of the bucket's virtual DBRP mapping, and of the
/// mapping the operator makes). The fake keeps its own rules (tokens, DBRP mappings, permissions); the engine only
/// parses and runs statements. Its answers are rewritten into InfluxDB 2's shape (<see cref="Translate"/>).
/// </summary>
internal sealed class InfluxQlEngine
{
    // influxd 1.x words a parse error "error parsing query: …" (services/httpd/handler.go, serveQuery); InfluxDB 2 wraps
    // the same parser's error as "failed to parse query: …" (influxql/query/proxy_executor.go, Query).
    private const string V1ParsePrefix = "error parsing query: ";
    private const string V2ParsePrefix = "failed to parse query: ";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentDictionary<string, bool> created = new(StringComparer.Ordinal);

    /// <summary>An engine at <paramref name="baseUri"/> (e.g. <c>http://127.0.0.1:8086</c>).</summary>
    public InfluxQlEngine(Uri baseUri)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        BaseUri = new Uri(baseUri.AbsoluteUri.TrimEnd('/') + "/");
    }

    /// <summary>The engine's URL.</summary>
    public Uri BaseUri { get; }

    /// <summary>Copies <paramref name="points"/> into the bucket's database (made on first use), at nanosecond precision.</summary>
    /// <exception cref="InvalidOperationException">The engine refused the copy for another reason than a field type conflict the fake reports too.</exception>
    public async Task MirrorAsync(string bucketName, IReadOnlyList<InfluxPoint> points, CancellationToken cancellationToken)
    {
        await EnsureDatabaseAsync(bucketName, cancellationToken);
        var body = string.Join('\n', points.Select(LineProtocol.Format));
        using var content = new StringContent(body, Encoding.UTF8, "text/plain");
        using var response = await Http.PostAsync(new Uri(BaseUri, $"write?db={Uri.EscapeDataString(bucketName)}&precision=ns"), content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.NoContent && !text.Contains("partial write", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the InfluxQL engine at {BaseUri} refused the mirrored points: {(int)response.StatusCode} {text}");
        }
    }

    /// <summary>
    /// Runs <paramref name="query"/> against the bucket's database (<paramref name="bucketName"/>; null when the caller may
    /// read no bucket under the requested database: the statement then only gets parsed, as InfluxDB 2 parses before it
    /// resolves the database) and returns InfluxDB 2's answer.
    /// </summary>
    public async Task<(int Status, string Body)> QueryAsync(string? bucketName, string requestedDatabase, string query, IReadOnlyDictionary<string, string> passOn, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>(passOn, StringComparer.Ordinal) { ["q"] = query };
        if (bucketName is not null)
        {
            await EnsureDatabaseAsync(bucketName, cancellationToken);
            form["db"] = bucketName;
        }
        else
        {
            // A database influxd cannot have (a name with a NUL): a statement that parses fails as "database not found".
            form["db"] = "\u0001unmapped";
        }

        using var content = new FormUrlEncodedContent(form);
        using var response = await Http.PostAsync(new Uri(BaseUri, "query"), content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return Translate((int)response.StatusCode, body, bucketName is null ? requestedDatabase : null);
    }

    /// <summary>
    /// influxd 1.x's answer as InfluxDB 2 gives it. A parse error: 400 <c>{"code":"invalid","message":"failed to parse
    /// query: …"}</c> (InfluxDB 2's ProxyExecutor returns an EInvalid error, which kit/transport/http/error_handler.go
    /// writes as code + message with status 400). Statement results (rows, or an <c>error</c> per statement) are the same
    /// JSON in both (influxql/query/response.go). With <paramref name="unmapped"/>, a statement that parsed fails as the
    /// fake's unresolved database: <c>database not found: name</c>.
    /// </summary>
    internal static (int Status, string Body) Translate(int status, string body, string? unmapped)
    {
        if (status == 400 && TryParse(body)?["error"]?.GetValue<string>() is { } error)
        {
            var message = error.StartsWith(V1ParsePrefix, StringComparison.Ordinal) ? V2ParsePrefix + error[V1ParsePrefix.Length..] : error;
            return (400, InfluxHttp.ErrorJson(400, "invalid", message));
        }

        if (status != 200)
        {
            return (500, InfluxHttp.ErrorJson(500, "internal error", $"the InfluxQL engine answered {status}: {body.Trim()}"));
        }

        if (unmapped is not null)
        {
            var results = new JsonArray(new JsonObject { ["statement_id"] = 0, ["error"] = $"database not found: {unmapped}" });
            return (200, new JsonObject { ["results"] = results }.ToJsonString() + "\n");
        }

        return (200, body);
    }

    private async Task EnsureDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        if (created.ContainsKey(name))
        {
            return;
        }

        // CREATE DATABASE does nothing when the database exists.
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["q"] = $"CREATE DATABASE \"{name.Replace("\"", "\\\"", StringComparison.Ordinal)}\"" });
        using var response = await Http.PostAsync(new Uri(BaseUri, "query"), content, cancellationToken);
        response.EnsureSuccessStatusCode();
        created[name] = true;
    }

    private static JsonNode? TryParse(string body)
    {
        try
        {
            return JsonNode.Parse(body.Split('\n', 2)[0]);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetricsOperator.Crds;

namespace MetricsOperator.Alerts.QueryChecks;

/// <summary>
/// Asks a stack's InfluxDB 2 whether a rule's query runs, with the stack's read token (the one Grafana's datasources
/// use): InfluxQL through the 1.x-compatible <c>/query</c> endpoint (database = bucket, by the DBRP mapping the
/// operator made), Flux through <c>/api/v2/query</c>. At most <see cref="MaxResponseBytes"/> of an answer are read;
/// InfluxQL asks for chunks of <see cref="ChunkSize"/> rows and reads only the first. The token is only ever a header.
/// </summary>
public sealed class InfluxQueryChecker
{
    /// <summary>The most of an answer read.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    /// <summary>Rows per InfluxQL chunk.</summary>
    public const int ChunkSize = 100;

    private readonly HttpClient http;
    private readonly Uri baseUri;
    private readonly string bucket;
    private readonly string organization;
    private readonly string token;

    /// <summary>A checker for the InfluxDB at <paramref name="baseUri"/>; <paramref name="http"/> is shared and not disposed.</summary>
    public InfluxQueryChecker(HttpClient http, Uri baseUri, string bucket, string organization, string token)
    {
        this.http = http ?? throw new ArgumentNullException(nameof(http));
        this.baseUri = baseUri ?? throw new ArgumentNullException(nameof(baseUri));
        this.bucket = bucket ?? throw new ArgumentNullException(nameof(bucket));
        this.organization = organization ?? throw new ArgumentNullException(nameof(organization));
        this.token = token ?? throw new ArgumentNullException(nameof(token));
    }

    /// <summary>What identifies the InfluxDB and bucket a verdict is about (for the cache; holds no secret).</summary>
    public string Target => TargetOf(baseUri, organization, bucket);

    /// <summary>The <see cref="Target"/> of a checker of <paramref name="bucket"/> at <paramref name="baseUri"/>, without making one.</summary>
    public static string TargetOf(Uri baseUri, string organization, string bucket) => $"{baseUri}|{organization}|{bucket}";

    /// <summary>InfluxDB's verdict on <paramref name="text"/> in <paramref name="language"/>.</summary>
    /// <exception cref="QueryCheckUnavailableException">InfluxDB did not answer, answered 5xx, or refused the token.</exception>
    public Task<QueryVerdict> CheckAsync(QueryLanguage language, string text, CancellationToken cancellationToken)
    {
        var runnable = QueryMacros.ForCheck(language, text);
        return language == QueryLanguage.Flux ? FluxAsync(runnable, cancellationToken) : InfluxQlAsync(runnable, cancellationToken);
    }

    private async Task<QueryVerdict> InfluxQlAsync(string query, CancellationToken cancellationToken)
    {
        var uri = new Uri(baseUri, $"query?db={Uri.EscapeDataString(bucket)}&chunked=true&chunk_size={ChunkSize}&q={Uri.EscapeDataString(query)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        var (status, body) = await SendAsync(request, cancellationToken);
        // A parse error is a 400: InfluxDB 2 answers {"code": "invalid", "message": "failed to parse query: …"}
        // (influxql/query/proxy_executor.go, written by kit/transport/http/error_handler.go), InfluxDB 1.x {"error":
        // "error parsing query: …"}. An error of one statement is a 200 whose results[i] has "error" (both).
        var first = body.Split('\n', 2)[0];
        JsonNode? answer;
        try
        {
            answer = JsonNode.Parse(first);
        }
        catch (JsonException)
        {
            return status == HttpStatusCode.OK ? QueryVerdict.WithData : new QueryVerdict(QueryOutcome.Invalid, first.Trim());
        }

        if (answer?["error"]?.GetValue<string>() is { } error)
        {
            return new QueryVerdict(QueryOutcome.Invalid, error);
        }

        if (status != HttpStatusCode.OK)
        {
            return new QueryVerdict(QueryOutcome.Invalid, answer?["message"]?.GetValue<string>() ?? first.Trim());
        }

        var results = answer?["results"] as JsonArray ?? [];
        if (results.OfType<JsonObject>().Select(r => r["error"]?.GetValue<string>()).FirstOrDefault(e => e is not null) is { } statementError)
        {
            return new QueryVerdict(QueryOutcome.Invalid, statementError);
        }

        return results.OfType<JsonObject>().Any(r => r["series"] is JsonArray { Count: > 0 }) ? QueryVerdict.WithData : QueryVerdict.Empty;
    }

    private async Task<QueryVerdict> FluxAsync(string query, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, $"api/v2/query?org={Uri.EscapeDataString(organization)}"))
        {
            Content = new StringContent(new JsonObject { ["query"] = query, ["type"] = "flux" }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/csv"));
        var (status, body) = await SendAsync(request, cancellationToken);
        if (status != HttpStatusCode.OK)
        {
            // InfluxDB 2's error body: {"code": "invalid", "message": "compilation failed: …"}; 404 for an unknown bucket.
            var message = TryParse(body)?["message"]?.GetValue<string>() ?? body.Trim();
            return new QueryVerdict(QueryOutcome.Invalid, message);
        }

        // Annotated CSV: rows after the header; an empty result is an empty body (or only line breaks).
        var rows = body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(line => !line.StartsWith('#')).Count();
        return rows > 1 ? QueryVerdict.WithData : QueryVerdict.Empty;
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new QueryCheckUnavailableException($"InfluxDB at {baseUri} did not answer: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new QueryCheckUnavailableException($"InfluxDB at {baseUri} timed out", e);
        }

        using (response)
        {
            if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new QueryCheckUnavailableException($"InfluxDB at {baseUri} answered {(int)response.StatusCode} to the query check")
                {
                    TokenRefused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden,
                };
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxResponseBytes];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
            {
                read += n;
            }

            return (response.StatusCode, Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    private static JsonNode? TryParse(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MetricsOperator.Influx;

namespace MetricsOperator.Backup.Influx;

/// <summary>
/// InfluxDB's backup and restore API (what <c>influx backup</c>/<c>influx restore</c> call), with streams in and out:
/// nothing here reads a shard into memory. Needs the operator (admin) token. Responses are not decompressed: shards
/// are asked for gzipped and stored as InfluxDB sends them.
/// </summary>
public sealed class InfluxBackupApi : IDisposable
{
    private readonly HttpClient http;
    private readonly string token;

    /// <summary>Creates the client of the InfluxDB at <paramref name="baseUri"/> with the operator token.</summary>
    public InfluxBackupApi(Uri baseUri, InfluxSecret operatorToken, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        ArgumentNullException.ThrowIfNull(operatorToken);
        token = operatorToken.Reveal();
        http = handler is null
            ? new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
            : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");

        // A 1 GiB shard over a slow link takes long; a stalled transfer is cut by the caller's cancellation instead.
        http.Timeout = Timeout.InfiniteTimeSpan;
    }

    /// <summary><c>GET /api/v2/backup/metadata</c>: a multipart body with the kv store, the SQL store and the bucket manifests.</summary>
    public Task<HttpResponseMessage> MetadataAsync(CancellationToken cancellationToken) => OpenAsync("api/v2/backup/metadata", gzip: false, cancellationToken);

    /// <summary><c>GET /api/v2/backup/shards/{id}</c>, gzipped, as a stream (headers read, body not yet).</summary>
    public Task<HttpResponseMessage> ShardAsync(long id, CancellationToken cancellationToken) =>
        OpenAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"api/v2/backup/shards/{id}"), gzip: true, cancellationToken);

    /// <summary><c>POST /api/v2/restore/bucketMetadata</c>: creates the bucket from its manifest; returns InfluxDB's answer (new ID, shard mappings).</summary>
    public async Task<JsonObject> RestoreBucketAsync(JsonObject manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        using var content = new StringContent(manifest.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        return await JsonAsync(HttpMethod.Post, "api/v2/restore/bucketMetadata", content, cancellationToken).ConfigureAwait(false) as JsonObject
            ?? throw new InfluxBackupException("InfluxDB POST restore/bucketMetadata: empty answer");
    }

    /// <summary><c>POST /api/v2/restore/shards/{id}</c>, streaming <paramref name="gzipped"/> as the body.</summary>
    public async Task RestoreShardAsync(long newId, Stream gzipped, CancellationToken cancellationToken)
    {
        using var content = new StreamContent(gzipped, 81920);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentEncoding.Add("gzip");
        await JsonAsync(HttpMethod.Post, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"api/v2/restore/shards/{newId}"), content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Buckets with the name, as <c>GET /api/v2/buckets?name=</c> lists them.</summary>
    public async Task<IReadOnlyList<JsonObject>> BucketsNamedAsync(string name, CancellationToken cancellationToken) =>
        ((await JsonAsync(HttpMethod.Get, $"api/v2/buckets?name={Uri.EscapeDataString(name)}", null, cancellationToken).ConfigureAwait(false))?["buckets"] as JsonArray ?? [])
            .OfType<JsonObject>().ToList();

    /// <summary><c>DELETE /api/v2/buckets/{id}</c> (restore with force).</summary>
    public Task DeleteBucketAsync(string id, CancellationToken cancellationToken) =>
        JsonAsync(HttpMethod.Delete, $"api/v2/buckets/{Uri.EscapeDataString(id)}", null, cancellationToken);

    /// <summary>
    /// True when the bucket holds at least one point: a Flux range over all time, of which only the first data row is
    /// read before the response is dropped (InfluxDB stops the query when the connection goes).
    /// </summary>
    public async Task<bool> HasDataAsync(string org, string bucket, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, $"api/v2/query?org={Uri.EscapeDataString(org)}");
        request.Content = new StringContent(new JsonObject { ["query"] = $"from(bucket: \"{bucket.Replace("\"", "\\\"", StringComparison.Ordinal)}\") |> range(start: 0)" }.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await SendAsync(request, "POST query", cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        string? header = null;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (header is null)
            {
                header = line;
                continue;
            }

            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public void Dispose() => http.Dispose();

    // The metadata is read as multipart (uncompressed); shards are kept as InfluxDB gzips them.
    private async Task<HttpResponseMessage> OpenAsync(string path, bool gzip, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, path);
        if (gzip)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }

        return await SendAsync(request, $"GET {path}", cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonNode?> JsonAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = Request(method, path);
        request.Content = content;
        using var response = await SendAsync(request, $"{method} {path.Split('?')[0]}", cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        return request;
    }

    // The caller disposes the response; a failure throws with InfluxDB's message and never the token.
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new InfluxBackupException($"InfluxDB {operation}: not reachable ({e.HttpRequestError})", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InfluxBackupException($"InfluxDB {operation}: {(int)response.StatusCode} {(text.Length > 200 ? text[..200] : text)}") { StatusCode = response.StatusCode };
        }
    }
}

/// <summary>InfluxDB refused or could not be reached during a backup or restore; the message never holds the token.</summary>
public sealed class InfluxBackupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InfluxBackupException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public InfluxBackupException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InfluxBackupException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>InfluxDB's answer when it answered with an error; null when it could not be reached.</summary>
    public HttpStatusCode? StatusCode { get; init; }
}

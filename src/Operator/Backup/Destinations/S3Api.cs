using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace MetricsOperator.Backup.Destinations;

/// <summary>
/// The eight calls of S3's REST API the backup makes (PutObject, GetObject, ListObjectsV2, DeleteObject, and a multipart
/// upload's create, upload part, complete and abort), signed with <see cref="SignatureV4"/>, path-style
/// (<c>https://host/bucket/key</c>: MinIO and most self-hosted stores do not serve virtual-host buckets). It replaced
/// AWSSDK.S3, which with AWSSDK.Core made 2.6 MB of the operator's Native AOT binary (35.2 -> 32.6 MB), and a binary's
/// size is its RSS once it has run a while (docs/performance.md, fifteenth pass). Requests a
/// store could not answer (a connection that failed, a timeout, 500, 502, 503 SlowDown, 504) are tried again up to
/// <see cref="S3Settings.MaxRetries"/> times, 0.2 s then 0.4 s apart, as the SDK did.
/// </summary>
internal sealed class S3Api(S3Settings settings, TimeProvider? time = null)
{
    // One pool of connections for every destination: a backup run makes a destination, and the operator runs many.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly Uri endpoint = settings.Endpoint ?? new Uri($"https://s3.{settings.Region}.amazonaws.com/");

    /// <summary>PutObject: <paramref name="body"/> as the object <paramref name="key"/> (a full key, prefix included).</summary>
    public async Task PutObjectAsync(string key, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Put, key, [], body, cancellationToken).ConfigureAwait(false)).Dispose();

    /// <summary>GetObject: the object's content as it arrives, or null when there is no such key (404 NoSuchKey).</summary>
    public async Task<Stream?> GetObjectAsync(string key, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, key, [], ReadOnlyMemory<byte>.Empty, cancellationToken, notFoundIsAnswer: true).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }

        return new ResponseStream(response, await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>ListObjectsV2: one page of the keys under <paramref name="prefix"/>.</summary>
    public async Task<S3Xml.ListPage> ListObjectsAsync(string prefix, string? continuationToken, CancellationToken cancellationToken)
    {
        List<(string, string)> query = [("list-type", "2"), ("prefix", prefix)];
        if (continuationToken is not null)
        {
            query.Add(("continuation-token", continuationToken));
        }

        return S3Xml.ReadListPage(await TextAsync(HttpMethod.Get, "", query, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>DeleteObject (a missing key is not an error: S3 answers 204 either way).</summary>
    public async Task DeleteObjectAsync(string key, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Delete, key, [], ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false)).Dispose();

    /// <summary>CreateMultipartUpload: the new upload's ID.</summary>
    public async Task<string> CreateMultipartUploadAsync(string key, CancellationToken cancellationToken)
    {
        var answer = await TextAsync(HttpMethod.Post, key, [("uploads", "")], ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        return S3Xml.ReadField(answer, "UploadId") is { Length: > 0 } id ? id : throw new S3Exception(HttpStatusCode.OK, null, "the answer to CreateMultipartUpload held no UploadId");
    }

    /// <summary>UploadPart: the part's ETag.</summary>
    public async Task<string> UploadPartAsync(string key, string uploadId, int number, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Put, key, [("partNumber", number.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("uploadId", uploadId)], body, cancellationToken).ConfigureAwait(false);
        return response.Headers.ETag?.ToString() ?? throw new S3Exception(response.StatusCode, null, $"the answer to UploadPart {number} held no ETag");
    }

    /// <summary>CompleteMultipartUpload, which S3 may refuse with an error inside a 200 answer.</summary>
    public async Task CompleteMultipartUploadAsync(string key, string uploadId, IEnumerable<(int Number, string ETag)> parts, CancellationToken cancellationToken)
    {
        var answer = await TextAsync(HttpMethod.Post, key, [("uploadId", uploadId)], Encoding.UTF8.GetBytes(S3Xml.CompleteMultipartUpload(parts)), cancellationToken).ConfigureAwait(false);
        if (S3Xml.ErrorCode(answer) is { } code)
        {
            throw new S3Exception(HttpStatusCode.OK, code, "CompleteMultipartUpload answered 200 with an error");
        }
    }

    /// <summary>AbortMultipartUpload: the parts uploaded so far are deleted.</summary>
    public async Task AbortMultipartUploadAsync(string key, string uploadId, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Delete, key, [("uploadId", uploadId)], ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false)).Dispose();

    private async Task<string> TextAsync(HttpMethod method, string key, IReadOnlyList<(string, string)> query, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, key, query, body, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    // Sends one signed request, tried again on what a store could not answer; an answer that is not a success
    // (404 too, unless asked for) becomes an S3Exception with S3's error code.
    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string key, IReadOnlyList<(string, string)> query, ReadOnlyMemory<byte> body, CancellationToken cancellationToken, bool notFoundIsAnswer = false)
    {
        var path = endpoint.AbsolutePath.TrimEnd('/') + "/" + SignatureV4.Encode(settings.Bucket) +
            (key.Length == 0 ? "" : "/" + string.Join('/', key.Split('/').Select(SignatureV4.Encode)));
        var canonicalQuery = SignatureV4.Query(query);
        var host = endpoint.IsDefaultPort ? endpoint.Host : endpoint.Authority;
        var uri = new Uri($"{endpoint.Scheme}://{endpoint.Authority}{path}{(canonicalQuery.Length > 0 ? "?" + canonicalQuery : "")}", in Verbatim);
        var payloadHash = body.IsEmpty ? SignatureV4.EmptyPayloadHash : SignatureV4.PayloadHash(body.Span);
        for (var attempt = 0; ; attempt++)
        {
            var signed = SignatureV4.Sign(method.Method, host, path, canonicalQuery, payloadHash, settings.Region, settings.AccessKeyId, settings.SecretAccessKey, clock.GetUtcNow());
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.TryAddWithoutValidation("Authorization", signed.Authorization);
            request.Headers.Add("x-amz-date", signed.AmzDate);
            request.Headers.Add("x-amz-content-sha256", signed.ContentSha256);
            if (!body.IsEmpty || method == HttpMethod.Put)
            {
                request.Content = new ReadOnlyMemoryContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(method == HttpMethod.Put ? "application/octet-stream" : "application/xml");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.Timeout);
            HttpResponseMessage response;
            try
            {
                response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt < settings.MaxRetries)
                {
                    await Task.Delay(Backoff(attempt), clock, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw e is OperationCanceledException ? new TimeoutException($"no answer within {settings.Timeout.TotalSeconds:F0} s", e) : e;
            }

            if (response.IsSuccessStatusCode || (notFoundIsAnswer && response.StatusCode == HttpStatusCode.NotFound && await IsNoSuchKeyAsync(response, cancellationToken).ConfigureAwait(false)))
            {
                return response;
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if ((int)response.StatusCode is 500 or 502 or 503 or 504 && attempt < settings.MaxRetries)
                {
                    await Task.Delay(Backoff(attempt), clock, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw new S3Exception(response.StatusCode, S3Xml.ErrorCode(text), null);
            }
        }
    }

    // A 404 is "no such key" only when S3 says so: NoSuchBucket is a 404 too, and a wrong endpoint's 404 is no answer.
    private static async Task<bool> IsNoSuchKeyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (S3Xml.ErrorCode(text) == "NoSuchKey")
        {
            return true;
        }

        // Read already: keep the text for the caller's error.
        response.Content = new StringContent(text);
        return false;
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(200 << attempt);

    // The response stays open while its content is read; disposing the stream disposes the response.
    private sealed class ResponseStream(HttpResponseMessage response, Stream content) : ReadOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count) => content.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => content.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => content.ReadAsync(buffer, offset, count, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                content.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>An S3 store answered with an error (or a success that was not one).</summary>
internal sealed class S3Exception(HttpStatusCode status, string? code, string? detail)
    : Exception($"{(int)status} {code ?? status.ToString()}{(detail is null ? "" : ": " + detail)}")
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <summary>S3's error code (NoSuchBucket, AccessDenied, SignatureDoesNotMatch), null when the answer had none.</summary>
    public string? Code { get; } = code;
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace MetricsOperator.Influx;

/// <summary>
/// <see cref="IInfluxApi"/> over <see cref="HttpClient"/>: the thirteen InfluxDB 2 calls the operator makes, with the
/// bodies the contract (<c>../shared/contracts/influxdb</c>) gives them, read and written as JSON documents. It replaced
/// InfluxDB.Client 5.1, whose RestSharp, Newtonsoft.Json and JsonSubTypes the operator loaded for these calls alone
/// (reflection-based, and in the way of trimming and Native AOT: docs/performance.md). Each call runs through a Polly
/// pipeline: a timeout per try and retries with exponential backoff on connection errors, timeouts and 5xx. Every
/// failure leaves as an <see cref="InfluxApiException"/> carrying no token.
/// </summary>
public sealed class InfluxApi : IInfluxApi
{
    // One connection pool for the process: a client is made for each reconcile and disposed after it.
    private static readonly SocketsHttpHandler SharedHandler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    private static readonly JsonElement EmptyArray = JsonDocument.Parse("[]").RootElement;

    private readonly HttpClient http;
    private readonly ResiliencePipeline pipeline;
    private readonly InfluxSecret? token;

    /// <summary>Creates a client of <paramref name="endpoint"/>, authenticating with <paramref name="token"/> when given.</summary>
    public InfluxApi(Uri endpoint, InfluxSecret? token, InfluxClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        this.token = token;
        var root = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        http = new HttpClient(SharedHandler, disposeHandler: false) { BaseAddress = root, Timeout = options.RequestTimeout };
        pipeline = Pipeline(options);
    }

    /// <inheritdoc />
    public Task<bool> IsSetupAllowedAsync(CancellationToken cancellationToken) =>
        RunAsync("check setup", HttpMethod.Get, "api/v2/setup", null, body => Flag(body, "allowed"), cancellationToken);

    /// <inheritdoc />
    public Task<SetupResult> SetupAsync(string username, AdminCredentials credentials, string organization, string bucket, long retentionSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var request = new JsonObject
        {
            ["username"] = username,
            ["password"] = credentials.Password.Reveal(),
            ["org"] = organization,
            ["bucket"] = bucket,
            ["retentionPeriodSeconds"] = retentionSeconds,
            ["token"] = credentials.Token.Reveal(),
        };
        return RunAsync("setup", HttpMethod.Post, "api/v2/setup", request, body => new SetupResult(Text(Member(body, "org"), "id"), Text(Member(body, "bucket"), "id")), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<InfluxOrganization>> ListOrganizationsAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<InfluxOrganization>>(
            "list organizations", HttpMethod.Get, "api/v2/orgs?limit=100", null, body => [.. Items(body, "orgs").Select(o => new InfluxOrganization(Text(o, "id"), Text(o, "name")))], cancellationToken);

    /// <inheritdoc />
    public Task<InfluxBucket?> FindBucketAsync(string orgId, string name, CancellationToken cancellationToken) =>
        RunAsync(
            "find bucket",
            HttpMethod.Get,
            $"api/v2/buckets?orgID={Uri.EscapeDataString(orgId)}&name={Uri.EscapeDataString(name)}",
            null,
            body => Items(body, "buckets").Select(ToBucket).FirstOrDefault(b => b.Name == name && b.OrgId == orgId),
            cancellationToken,
            notFound: () => null);

    /// <inheritdoc />
    public Task<InfluxBucket> CreateBucketAsync(string orgId, string name, long retentionSeconds, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["orgID"] = orgId, ["name"] = name, ["retentionRules"] = RetentionRules(retentionSeconds) };
        return RunAsync("create bucket", HttpMethod.Post, "api/v2/buckets", request, ToBucket, cancellationToken);
    }

    /// <inheritdoc />
    public Task<InfluxBucket> UpdateRetentionAsync(InfluxBucket bucket, long retentionSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var patch = new JsonObject { ["retentionRules"] = RetentionRules(retentionSeconds) };
        return RunAsync("update bucket retention", HttpMethod.Patch, $"api/v2/buckets/{Uri.EscapeDataString(bucket.Id)}", patch, ToBucket, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<InfluxDbrp>> ListDbrpsAsync(string orgId, string database, CancellationToken cancellationToken) =>
        RunTextAsync(
            "list DBRP mappings",
            HttpMethod.Get,
            $"api/v2/dbrps?orgID={Uri.EscapeDataString(orgId)}&db={Uri.EscapeDataString(database)}",
            null,
            DbrpListing.Parse,
            cancellationToken);

    /// <inheritdoc />
    public Task CreateDbrpAsync(string orgId, string bucketId, string database, string retentionPolicy, bool isDefault, CancellationToken cancellationToken)
    {
        var request = new JsonObject
        {
            ["orgID"] = orgId,
            ["bucketID"] = bucketId,
            ["database"] = database,
            ["retention_policy"] = retentionPolicy,
            ["default"] = isDefault,
        };
        return RunAsync("create DBRP mapping", HttpMethod.Post, "api/v2/dbrps", request, _ => true, cancellationToken);
    }

    /// <inheritdoc />
    public Task MakeDbrpDefaultAsync(string orgId, string id, CancellationToken cancellationToken) =>
        RunAsync(
            "update DBRP mapping",
            HttpMethod.Patch,
            $"api/v2/dbrps/{Uri.EscapeDataString(id)}?orgID={Uri.EscapeDataString(orgId)}",
            new JsonObject { ["default"] = true },
            _ => true,
            cancellationToken);

    /// <inheritdoc />
    public Task DeleteDbrpAsync(string orgId, string id, CancellationToken cancellationToken) =>
        RunAsync("delete DBRP mapping", HttpMethod.Delete, $"api/v2/dbrps/{Uri.EscapeDataString(id)}?orgID={Uri.EscapeDataString(orgId)}", null, _ => true, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<InfluxAuthorization>> ListAuthorizationsAsync(string orgId, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<InfluxAuthorization>>(
            "list authorizations",
            HttpMethod.Get,
            $"api/v2/authorizations?orgID={Uri.EscapeDataString(orgId)}",
            null,
            body => [.. Items(body, "authorizations").Select(ToAuthorization)],
            cancellationToken);

    /// <inheritdoc />
    public Task<CreatedAuthorization> CreateAuthorizationAsync(string orgId, string description, IReadOnlyList<InfluxGrant> permissions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        var request = new JsonObject
        {
            ["orgID"] = orgId,
            ["description"] = description,
            ["permissions"] = new JsonArray([.. permissions.Select(ToPermission)]),
        };
        return RunAsync("create authorization", HttpMethod.Post, "api/v2/authorizations", request, body => new CreatedAuthorization(Text(body, "id"), new InfluxSecret(Text(body, "token"))), cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteAuthorizationAsync(string id, CancellationToken cancellationToken) =>
        // Already gone is what was wanted.
        RunAsync("delete authorization", HttpMethod.Delete, $"api/v2/authorizations/{Uri.EscapeDataString(id)}", null, _ => true, cancellationToken, notFound: () => true);

    /// <inheritdoc />
    public void Dispose() => http.Dispose();

    /// <summary>Whether a failure is worth another try: no answer, or a server error.</summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        InfluxHttpException answered => answered.Status >= 500,
        HttpRequestException or SocketException or IOException or TimeoutRejectedException => true,
        TaskCanceledException or TimeoutException => true,
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };

    private static ResiliencePipeline Pipeline(InfluxClientOptions options)
    {
        var builder = new ResiliencePipelineBuilder();
        if (options.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.Retries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && !args.Context.CancellationToken.IsCancellationRequested && IsTransient(e)),
            });
        }

        return builder.AddTimeout(options.RequestTimeout + TimeSpan.FromSeconds(1)).Build();
    }

    // The constructor, not a collection expression: that calls Add<T>, the reflection-based path (IL2026/IL3050).
    private static JsonArray RetentionRules(long seconds) => new(new JsonObject { ["type"] = "expire", ["everySeconds"] = seconds });

    private static InfluxBucket ToBucket(JsonElement bucket) => new(
        Text(bucket, "id"),
        Text(bucket, "name"),
        Text(bucket, "orgID"),
        Items(bucket, "retentionRules").Where(r => Text(r, "type") is "expire" or "").Select(r => Number(r, "everySeconds")).FirstOrDefault());

    private static InfluxAuthorization ToAuthorization(JsonElement authorization) => new(
        Text(authorization, "id"),
        authorization.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String ? description.GetString() : null,
        Text(authorization, "status") != "inactive",
        [.. Items(authorization, "permissions").Select(p =>
        {
            var resource = Member(p, "resource");
            return new InfluxGrant(Text(p, "action") == "write" ? "write" : "read", Text(resource, "type").ToLowerInvariant(), OptionalText(resource, "id"), OptionalText(resource, "orgID"));
        })]);

    private static JsonObject ToPermission(InfluxGrant grant)
    {
        var resource = new JsonObject { ["type"] = grant.Type };
        if (grant.Id is not null)
        {
            resource["id"] = grant.Id;
        }

        if (grant.OrgId is not null)
        {
            resource["orgID"] = grant.OrgId;
        }

        return new JsonObject { ["action"] = grant.Action == "write" ? "write" : "read", ["resource"] = resource };
    }

    private static JsonElement Member(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    private static JsonElement.ArrayEnumerator Items(JsonElement element, string name) =>
        (Member(element, name) is { ValueKind: JsonValueKind.Array } array ? array : EmptyArray).EnumerateArray();

    private static string Text(JsonElement element, string name) => OptionalText(element, name) ?? string.Empty;

    private static string? OptionalText(JsonElement element, string name) =>
        Member(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static long Number(JsonElement element, string name) =>
        Member(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : 0;

    private static bool Flag(JsonElement element, string name) => Member(element, name).ValueKind == JsonValueKind.True;

    private Task<T> RunAsync<T>(string operation, HttpMethod method, string path, JsonObject? body, Func<JsonElement, T> read, CancellationToken cancellationToken, Func<T>? notFound = null) =>
        RunTextAsync(operation, method, path, body, text => read(Parse(text)), cancellationToken, notFound);

    private async Task<T> RunTextAsync<T>(string operation, HttpMethod method, string path, JsonObject? body, Func<string, T> read, CancellationToken cancellationToken, Func<T>? notFound = null)
    {
        var json = body?.ToJsonString();
        try
        {
            return await pipeline.ExecuteAsync(
                async ct =>
                {
                    using var request = new HttpRequestMessage(method, path);
                    if (token is not null)
                    {
                        request.Headers.Authorization = new AuthenticationHeaderValue("Token", token.Reveal());
                    }

                    if (json is not null)
                    {
                        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                    }

                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
                    var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.NotFound && notFound is not null)
                    {
                        return notFound();
                    }

                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InfluxHttpException((int)response.StatusCode, ErrorMessage(text, response.ReasonPhrase));
                    }

                    return read(text);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not InfluxApiException)
        {
            throw Wrap(operation, e);
        }
    }

    // A body that is not JSON is read as empty: every caller then sees missing fields, as for an empty answer.
    private static JsonElement Parse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    // InfluxDB's error body is {"code": "...", "message": "..."}; anything else is quoted as it came.
    private static string ErrorMessage(string body, string? reason)
    {
        if (Parse(body) is { ValueKind: JsonValueKind.Object } error && OptionalText(error, "message") is { Length: > 0 } message)
        {
            return message;
        }

        return body.Length > 0 ? body : reason ?? string.Empty;
    }

    private InfluxApiException Wrap(string operation, Exception e)
    {
        if (e is InfluxHttpException { Status: > 0 and < 500 } http)
        {
            var status = (HttpStatusCode)http.Status;
            var failure = http.Status switch
            {
                401 or 403 => InfluxFailure.Unauthorized,
                404 => InfluxFailure.NotFound,
                409 => InfluxFailure.Conflict,
                422 when http.Message.Contains("already", StringComparison.OrdinalIgnoreCase) || http.Message.Contains("conflict", StringComparison.OrdinalIgnoreCase) => InfluxFailure.Conflict,
                _ => InfluxFailure.Rejected,
            };
            return new InfluxApiException(failure, operation, status, Scrub(http.Message));
        }

        var answered = e is InfluxHttpException { Status: >= 500 } server ? (HttpStatusCode?)server.Status : null;
        // The cause's message is not kept: transport errors can quote the request; its type is enough to act on.
        return new InfluxApiException(InfluxFailure.Unreachable, operation, answered, answered is null ? $"no answer ({e.GetType().Name})" : Scrub(e.Message));
    }

    private string Scrub(string? message)
    {
        var text = message ?? string.Empty;
        return token is null ? text : text.Replace(token.Reveal(), token.ToString(), StringComparison.Ordinal);
    }

    /// <summary>An answer InfluxDB gave with an error status, before it is classified.</summary>
    private sealed class InfluxHttpException(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }
}

/// <summary>Makes <see cref="InfluxApi"/> clients with one set of options.</summary>
public sealed class InfluxApiFactory(InfluxClientOptions options) : IInfluxApiFactory
{
    /// <inheritdoc />
    public IInfluxApi Create(Uri endpoint, InfluxSecret? token) => new InfluxApi(endpoint, token, options);
}

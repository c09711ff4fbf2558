using System.Net.Http.Headers;
using System.Text;
using MetricsOperator.Fakes.Contracts;
using MetricsOperator.Fakes.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Influx;

/// <summary>
/// An in-process InfluxDB v2 (OSS 2.7 API, hashed tokens as 2.8+/2.9) on a loopback port, checked against
/// <c>../shared/contracts/influxdb/oss.yml</c>. See docs/fakes.md for what it implements and where it differs.
/// <code>
/// await using var influx = await InfluxFake.StartNewAsync();
/// using var client = new InfluxDBClient(influx.Url, token);
/// ...
/// influx.Contract.AssertNoContractViolations();
/// </code>
/// </summary>
public sealed class InfluxFake : FakeServer
{
    private readonly InfluxQlEngine? engine;

    private InfluxFake(Uri? influxQlEngine)
        : base(CreateRules())
    {
        engine = influxQlEngine is null ? null : new InfluxQlEngine(influxQlEngine);
    }

    /// <summary>
    /// The real InfluxDB 1.x that answers <c>/query</c> (InfluxQL), holding a copy of every point written, one database per
    /// bucket; null: the fake's own InfluxQL subset. See <see cref="StartNewAsync(Uri?, CancellationToken)"/>.
    /// </summary>
    public Uri? InfluxQlEngine => engine?.BaseUri;

    /// <summary>Everything stored: read it in assertions, change it to simulate drift.</summary>
    public InfluxState State { get; } = new();

    /// <summary>Creates and starts a fake on a free loopback port.</summary>
    public static Task<InfluxFake> StartNewAsync(CancellationToken cancellationToken = default) => StartNewAsync(null, cancellationToken);

    /// <summary>
    /// Creates and starts a fake on a free loopback port whose InfluxQL is run by <paramref name="influxQlEngine"/>, a
    /// real InfluxDB 1.x (e.g. TestSupport's RealInflux, influxd 1.6.7: the parser and engine InfluxDB 2 serves InfluxQL
    /// with). Every point the fake accepts is copied there, into a database named as its bucket; <c>/query</c> resolves
    /// db/rp and the token's permission by the fake's own rules, then runs the statement there and answers as InfluxDB 2.
    /// </summary>
    public static async Task<InfluxFake> StartNewAsync(Uri? influxQlEngine, CancellationToken cancellationToken = default)
    {
        var fake = new InfluxFake(influxQlEngine);
        await fake.StartAsync(cancellationToken);
        return fake;
    }

    /// <summary>Onboards directly (no HTTP), for tests that start from an InfluxDB someone already set up.</summary>
    public InfluxOnboarding Onboard(string org = "lsst", string bucket = "metrics", string username = "admin", string? token = null) =>
        State.Onboard(username, password: null, org, bucket, retentionSeconds: 0, token);

    /// <inheritdoc />
    protected override async Task AuthenticateAsync(HttpContext context, RequestDelegate continuation)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path is "/health" or "/ping" or "/ready" or "/metrics" or "/api/v2/setup")
        {
            await continuation(context);
            return;
        }

        var token = Token(context.Request);
        var authorization = token is null ? null : State.Authenticate(token);
        if (authorization is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "unauthorized access");
            return;
        }

        if (!authorization.Active)
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "authorization is inactive");
            return;
        }

        InfluxHttp.SetCaller(context, authorization);
        await continuation(context);
    }

    /// <inheritdoc />
    protected override void MapEndpoints(WebApplication application)
    {
        InfluxSetupEndpoints.Map(application, State);
        InfluxBucketEndpoints.Map(application, State);
        InfluxAuthorizationEndpoints.Map(application, State);
        InfluxDbrpEndpoints.Map(application, State);
        InfluxWriteEndpoint.Map(application, State, engine);
        InfluxQueryEndpoints.Map(application, State, engine);
        InfluxBackupEndpoints.Map(application, State);
    }

    private static ContractRules CreateRules() => new()
    {
        Document = ContractFiles.LoadIfAvailable(ContractFiles.InfluxDbFile),
        // Almost every operation declares "default"; these cover the rest (authentication, faults, the fake's gaps).
        ServerWideStatuses = new HashSet<int> { 401, 500, 501, 503 },
        // The v1 compatibility API (InfluxQL /query) has its own spec, not in ../shared.
        IsUncontracted = static (_, path) => path == "/query",
        ErrorJson = static (status, message) => InfluxHttp.ErrorJson(status, InfluxHttp.CodeFor(status), message),
    };

    // "Authorization: Token t" (or "Bearer t"); the v1 API also takes basic auth or u/p parameters with the token as password.
    private static string? Token(HttpRequest request)
    {
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) && header.Parameter is { Length: > 0 } value)
        {
            if (header.Scheme.Equals("Token", StringComparison.OrdinalIgnoreCase) || header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }

            if (header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value));
                return decoded[(decoded.IndexOf(':', StringComparison.Ordinal) + 1)..];
            }
        }

        return request.Path == "/query" && request.Query.TryGetValue("p", out var password) ? password.ToString() : null;
    }
}

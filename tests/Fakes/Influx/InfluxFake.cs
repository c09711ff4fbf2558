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
    private InfluxFake()
        : base(CreateRules())
    {
    }

    /// <summary>Everything stored: read it in assertions, change it to simulate drift.</summary>
    public InfluxState State { get; } = new();

    /// <summary>Creates and starts a fake on a free loopback port.</summary>
    public static async Task<InfluxFake> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var fake = new InfluxFake();
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
        InfluxWriteEndpoint.Map(application, State);
        InfluxQueryEndpoints.Map(application, State);
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

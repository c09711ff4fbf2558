using System.Net;
using System.Net.Sockets;
using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Api.Service;
using InfluxDB.Client.Core.Exceptions;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace MetricsOperator.Influx;

/// <summary>
/// <see cref="IInfluxApi"/> over InfluxDB.Client 5.1 (its typed APIs for setup, orgs, buckets and authorizations, its
/// generated <see cref="DBRPsService"/> for the InfluxQL mappings). Each call runs through a Polly pipeline: a timeout
/// per try and retries with exponential backoff on connection errors, timeouts and 5xx. Every failure leaves as an
/// <see cref="InfluxApiException"/> carrying no token.
/// </summary>
public sealed class InfluxApi : IInfluxApi
{
    private readonly InfluxDBClient client;
    private readonly ResiliencePipeline pipeline;
    private readonly InfluxSecret? token;

    /// <summary>Creates a client of <paramref name="endpoint"/>, authenticating with <paramref name="token"/> when given.</summary>
    public InfluxApi(Uri endpoint, InfluxSecret? token, InfluxClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        this.token = token;
        var builder = InfluxDBClientOptions.Builder.CreateNew().Url(endpoint.ToString().TrimEnd('/')).TimeOut(options.RequestTimeout);
        if (token is not null)
        {
            builder.AuthenticateToken(token.Reveal());
        }

        client = new InfluxDBClient(builder.Build());
        pipeline = Pipeline(options);
    }

    /// <inheritdoc />
    public Task<bool> IsSetupAllowedAsync(CancellationToken cancellationToken) =>
        RunAsync("check setup", _ => client.IsOnboardingAllowedAsync(), cancellationToken);

    /// <inheritdoc />
    public Task<SetupResult> SetupAsync(string username, AdminCredentials credentials, string organization, string bucket, long retentionSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var request = new OnboardingRequest(
            username: username,
            password: credentials.Password.Reveal(),
            org: organization,
            bucket: bucket,
            retentionPeriodSeconds: retentionSeconds,
            token: credentials.Token.Reveal());
        return RunAsync("setup", async _ =>
        {
            var response = await client.OnboardingAsync(request).ConfigureAwait(false);
            return new SetupResult(response.Org.Id, response.Bucket.Id);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<InfluxOrganization>> ListOrganizationsAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<InfluxOrganization>>("list organizations", async ct =>
        {
            var orgs = await client.GetOrganizationsApi().FindOrganizationsAsync(limit: 100, cancellationToken: ct).ConfigureAwait(false);
            return [.. orgs.Select(o => new InfluxOrganization(o.Id, o.Name))];
        }, cancellationToken);

    /// <inheritdoc />
    public Task<InfluxBucket?> FindBucketAsync(string orgId, string name, CancellationToken cancellationToken) =>
        RunAsync("find bucket", async ct =>
        {
            try
            {
                var found = await client.GetBucketsApi().FindBucketsAsync(orgID: orgId, name: name, cancellationToken: ct).ConfigureAwait(false);
                return found.Where(b => b.Name == name && b.OrgID == orgId).Select(ToBucket).FirstOrDefault();
            }
            catch (NotFoundException)
            {
                return null;
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task<InfluxBucket> CreateBucketAsync(string orgId, string name, long retentionSeconds, CancellationToken cancellationToken) =>
        RunAsync("create bucket", async ct =>
        {
            var request = new PostBucketRequest(orgID: orgId, name: name, retentionRules: [new BucketRetentionRules(everySeconds: retentionSeconds)]);
            return ToBucket(await client.GetBucketsApi().CreateBucketAsync(request, ct).ConfigureAwait(false));
        }, cancellationToken);

    /// <inheritdoc />
    public Task<InfluxBucket> UpdateRetentionAsync(InfluxBucket bucket, long retentionSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        return RunAsync("update bucket retention", async ct =>
        {
            var service = client.CreateService<BucketsService>(typeof(BucketsService));
            var patch = new PatchBucketRequest(retentionRules: [new PatchRetentionRule(everySeconds: retentionSeconds)]);
            return ToBucket(await service.PatchBucketsIDAsync(bucket.Id, patch, cancellationToken: ct).ConfigureAwait(false));
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<InfluxDbrp>> ListDbrpsAsync(string orgId, string database, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<InfluxDbrp>>("list DBRP mappings", async ct =>
        {
            // The raw body: the typed DBRP model drops the "virtual" field (see DbrpListing). Error statuses still throw
            // HttpException through the service's exception factory, as the typed call does.
            var response = await Dbrps().GetDBRPsAsyncWithIRestResponse(orgID: orgId, db: database, cancellationToken: ct).ConfigureAwait(false);
            return DbrpListing.Parse(response.Content ?? string.Empty);
        }, cancellationToken);

    /// <inheritdoc />
    public Task CreateDbrpAsync(string orgId, string bucketId, string database, string retentionPolicy, bool isDefault, CancellationToken cancellationToken) =>
        RunAsync("create DBRP mapping", async ct =>
        {
            var request = new DBRPCreate(orgID: orgId, bucketID: bucketId, database: database, retentionPolicy: retentionPolicy, _default: isDefault);
            await Dbrps().PostDBRPAsync(request, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task MakeDbrpDefaultAsync(string orgId, string id, CancellationToken cancellationToken) =>
        RunAsync("update DBRP mapping", async ct =>
        {
            await Dbrps().PatchDBRPIDAsync(id, new DBRPUpdate(_default: true), orgID: orgId, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task DeleteDbrpAsync(string orgId, string id, CancellationToken cancellationToken) =>
        RunAsync("delete DBRP mapping", async ct =>
        {
            await Dbrps().DeleteDBRPIDAsync(id, orgID: orgId, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<InfluxAuthorization>> ListAuthorizationsAsync(string orgId, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<InfluxAuthorization>>("list authorizations", async ct =>
        {
            var service = client.CreateService<AuthorizationsService>(typeof(AuthorizationsService));
            var found = await service.GetAuthorizationsAsync(orgID: orgId, cancellationToken: ct).ConfigureAwait(false);
            return [.. (found._Authorizations ?? []).Select(ToAuthorization)];
        }, cancellationToken);

    /// <inheritdoc />
    public Task<CreatedAuthorization> CreateAuthorizationAsync(string orgId, string description, IReadOnlyList<InfluxGrant> permissions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        var request = new AuthorizationPostRequest(orgID: orgId, description: description, permissions: [.. permissions.Select(ToPermission)]);
        return RunAsync("create authorization", async ct =>
        {
            var created = await client.GetAuthorizationsApi().CreateAuthorizationAsync(request, ct).ConfigureAwait(false);
            return new CreatedAuthorization(created.Id, new InfluxSecret(created.Token));
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteAuthorizationAsync(string id, CancellationToken cancellationToken) =>
        RunAsync("delete authorization", async ct =>
        {
            try
            {
                await client.GetAuthorizationsApi().DeleteAuthorizationAsync(id, ct).ConfigureAwait(false);
            }
            catch (NotFoundException)
            {
                // Already gone: what we wanted.
            }

            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => client.Dispose();

    /// <summary>Whether a failure is worth another try: no answer, or a server error.</summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        HttpException http => http.Status is 0 or >= 500,
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

    private static InfluxBucket ToBucket(Bucket bucket) =>
        new(bucket.Id, bucket.Name, bucket.OrgID, bucket.RetentionRules?.FirstOrDefault(r => r.Type == BucketRetentionRules.TypeEnum.Expire)?.EverySeconds ?? 0);

    private static InfluxAuthorization ToAuthorization(InfluxDB.Client.Api.Domain.Authorization a) => new(
        a.Id,
        a.Description,
        a.Status != AuthorizationUpdateRequest.StatusEnum.Inactive,
        [.. (a.Permissions ?? []).Select(p => new InfluxGrant(
            p.Action == Permission.ActionEnum.Write ? "write" : "read", p.Resource.Type.ToString()!.ToLowerInvariant(), p.Resource.Id, p.Resource.OrgID))]);

    private static Permission ToPermission(InfluxGrant p) => new(
        p.Action == "write" ? Permission.ActionEnum.Write : Permission.ActionEnum.Read,
        new PermissionResource(type: p.Type, id: p.Id, orgID: p.OrgId));

    private DBRPsService Dbrps() => client.CreateService<DBRPsService>(typeof(DBRPsService));

    private async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await pipeline.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
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

    private InfluxApiException Wrap(string operation, Exception e)
    {
        if (e is HttpException { Status: > 0 and < 500 } http)
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

        var answered = e is HttpException { Status: >= 500 } server ? (HttpStatusCode?)server.Status : null;
        // The cause's message is not kept: transport errors can quote the request; its type is enough to act on.
        return new InfluxApiException(InfluxFailure.Unreachable, operation, answered, answered is null ? $"no answer ({e.GetType().Name})" : Scrub(e.Message));
    }

    private string Scrub(string? message)
    {
        var text = message ?? string.Empty;
        return token is null ? text : text.Replace(token.Reveal(), token.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>Makes <see cref="InfluxApi"/> clients with one set of options.</summary>
public sealed class InfluxApiFactory(InfluxClientOptions options) : IInfluxApiFactory
{
    /// <inheritdoc />
    public IInfluxApi Create(Uri endpoint, InfluxSecret? token) => new InfluxApi(endpoint, token, options);
}

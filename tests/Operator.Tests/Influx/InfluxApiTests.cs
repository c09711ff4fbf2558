using System.Net;
using System.Net.Sockets;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.Influx;

namespace MetricsOperator.Tests.Influx;

/// <summary>
/// Every call of <see cref="InfluxApi"/> (the operator's own HTTP client of InfluxDB 2) against the InfluxDB fake, which
/// checks each request and answer against InfluxDB's OpenAPI contract, and InfluxDB's refusals as the operator sees
/// them: the failure kind, the status and InfluxDB's message, never the token.
/// </summary>
public sealed class InfluxApiTests : IAsyncLifetime
{
    private const string AdminToken = "admin-token-0123456789";
    private InfluxFake influx = null!;

    public async Task InitializeAsync() => influx = await InfluxFake.StartNewAsync();

    public async Task DisposeAsync() => await influx.DisposeAsync();

    [Fact]
    public async Task Setup_is_offered_once_and_makes_the_org_bucket_and_token_asked_for()
    {
        using var anonymous = Api(null);
        (await anonymous.IsSetupAllowedAsync(CancellationToken.None)).ShouldBeTrue();

        var credentials = new AdminCredentials(new InfluxSecret(AdminToken), new InfluxSecret("a-long-password"));
        var result = await anonymous.SetupAsync("admin", credentials, "rubin", "metrics", 7 * 86400, CancellationToken.None);

        influx.State.Orgs.ShouldHaveSingleItem().Id.ShouldBe(result.OrgId);
        var bucket = influx.State.Buckets.Single(b => b.Id == result.BucketId);
        (bucket.Name, bucket.RetentionSeconds).ShouldBe(("metrics", 7 * 86400L));
        influx.State.Authenticate(AdminToken).ShouldNotBeNull();
        (await anonymous.IsSetupAllowedAsync(CancellationToken.None)).ShouldBeFalse();
        var again = await Should.ThrowAsync<InfluxApiException>(() => anonymous.SetupAsync("admin", credentials, "rubin", "metrics", 0, CancellationToken.None));
        again.Failure.ShouldBe(InfluxFailure.Conflict);
        again.Message.ShouldContain("onboarding has already been completed");
        again.Message.ShouldNotContain(AdminToken);
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Organizations_and_buckets_are_listed_found_made_and_their_retention_changed()
    {
        var setup = influx.Onboard(org: "rubin", bucket: "metrics", token: AdminToken);
        using var api = Api(AdminToken);

        (await api.ListOrganizationsAsync(CancellationToken.None)).ShouldBe([new InfluxOrganization(setup.Org.Id, "rubin")]);
        (await api.FindBucketAsync(setup.Org.Id, "metrics", CancellationToken.None))!.Id.ShouldBe(setup.Bucket.Id);
        (await api.FindBucketAsync(setup.Org.Id, "nothing-by-this-name", CancellationToken.None)).ShouldBeNull();

        var made = await api.CreateBucketAsync(setup.Org.Id, "other", 3600, CancellationToken.None);
        made.ShouldBe(new MetricsOperator.Influx.InfluxBucket(made.Id, "other", setup.Org.Id, 3600));
        var changed = await api.UpdateRetentionAsync(made, 86400, CancellationToken.None);
        changed.RetentionSeconds.ShouldBe(86400);
        influx.State.Buckets.Single(b => b.Id == made.Id).RetentionSeconds.ShouldBe(86400);

        var twice = await Should.ThrowAsync<InfluxApiException>(() => api.CreateBucketAsync(setup.Org.Id, "other", 3600, CancellationToken.None));
        (twice.Failure, twice.StatusCode).ShouldBe((InfluxFailure.Conflict, (HttpStatusCode?)HttpStatusCode.UnprocessableEntity));
        var tooShort = await Should.ThrowAsync<InfluxApiException>(() => api.UpdateRetentionAsync(made, 60, CancellationToken.None));
        tooShort.Failure.ShouldBe(InfluxFailure.Rejected);
        tooShort.Message.ShouldContain("retention policy duration must be at least 1h0m0s");
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_dbrp_mapping_is_made_made_default_and_deleted()
    {
        var setup = influx.Onboard(token: AdminToken);
        using var api = Api(AdminToken);

        await api.CreateDbrpAsync(setup.Org.Id, setup.Bucket.Id, "metrics", "mine", isDefault: false, CancellationToken.None);
        var mine = (await api.ListDbrpsAsync(setup.Org.Id, "metrics", CancellationToken.None)).Single(m => m.RetentionPolicy == "mine");
        mine.IsDefault.ShouldBeFalse();

        await api.MakeDbrpDefaultAsync(setup.Org.Id, mine.Id, CancellationToken.None);
        influx.State.Dbrps.Single(m => m.Id == mine.Id).IsDefault.ShouldBeTrue();

        await api.DeleteDbrpAsync(setup.Org.Id, mine.Id, CancellationToken.None);
        influx.State.Dbrps.ShouldNotContain(m => m.Id == mine.Id);
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task An_authorization_is_made_with_its_grants_listed_without_its_token_and_deleted_twice_without_error()
    {
        var setup = influx.Onboard(token: AdminToken);
        using var api = Api(AdminToken);
        var grants = new[]
        {
            new InfluxGrant("write", "buckets", setup.Bucket.Id, setup.Org.Id),
            new InfluxGrant("read", "orgs", setup.Org.Id, null),
        };

        var created = await api.CreateAuthorizationAsync(setup.Org.Id, "telegraf", grants, CancellationToken.None);

        influx.State.Authenticate(created.Token.Reveal())!.Id.ShouldBe(created.Id);
        var listed = (await api.ListAuthorizationsAsync(setup.Org.Id, CancellationToken.None)).Single(a => a.Id == created.Id);
        (listed.Description, listed.Active).ShouldBe(("telegraf", true));
        listed.Permissions.ShouldBe(grants);

        await api.DeleteAuthorizationAsync(created.Id, CancellationToken.None);
        await api.DeleteAuthorizationAsync(created.Id, CancellationToken.None);
        influx.State.Authorizations.ShouldNotContain(a => a.Id == created.Id);
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_refused_token_is_unauthorized_and_not_quoted()
    {
        influx.Onboard(token: AdminToken);
        const string wrong = "a-token-influxdb-does-not-know";
        using var api = Api(wrong);

        var failure = await Should.ThrowAsync<InfluxApiException>(() => api.ListOrganizationsAsync(CancellationToken.None));

        (failure.Failure, failure.StatusCode).ShouldBe((InfluxFailure.Unauthorized, (HttpStatusCode?)HttpStatusCode.Unauthorized));
        failure.Message.ShouldNotContain(wrong);
    }

    [Fact]
    public async Task Nothing_listening_is_unreachable_after_the_retries()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var api = new InfluxApi(new Uri($"http://127.0.0.1:{port}"), new InfluxSecret(AdminToken), InfluxClientOptions.Default with { Retries = 1, RetryDelay = TimeSpan.FromMilliseconds(10) });

        var failure = await Should.ThrowAsync<InfluxApiException>(() => api.ListOrganizationsAsync(CancellationToken.None));

        (failure.Failure, failure.StatusCode).ShouldBe((InfluxFailure.Unreachable, (HttpStatusCode?)null));
        failure.Message.ShouldContain("no answer (HttpRequestException)");
    }

    private InfluxApi Api(string? token) =>
        new(new Uri(influx.Url), token is null ? null : new InfluxSecret(token), InfluxClientOptions.Default with { Retries = 0 });
}

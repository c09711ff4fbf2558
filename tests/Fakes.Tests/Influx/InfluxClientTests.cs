using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Core.Exceptions;
using InfluxDB.Client.Writes;
using MetricsOperator.Fakes.Influx;

namespace MetricsOperator.Fakes.Tests.Influx;

/// <summary>The real InfluxDB.Client 5.1.0 drives the fake through the operator's bootstrap and the token checks.</summary>
public sealed class InfluxClientTests : IAsyncLifetime
{
    private const string AdminToken = "operator-generated-admin-token-0123456789";
    private InfluxFake influx = null!;

    public async Task InitializeAsync() => influx = await InfluxFake.StartNewAsync();

    public async Task DisposeAsync() => await influx.DisposeAsync();

    [Fact]
    public async Task Onboarding_succeeds_once_and_a_second_setup_answers_422()
    {
        using var anonymous = new InfluxDBClient(influx.Url);
        (await anonymous.IsOnboardingAllowedAsync()).ShouldBeTrue();

        var response = await anonymous.OnboardingAsync(Onboarding());

        response.Auth.Token.ShouldBe(AdminToken);
        response.Bucket.Name.ShouldBe("metrics");
        response.Bucket.RetentionRules.Single().EverySeconds.ShouldBe(0);
        (await anonymous.IsOnboardingAllowedAsync()).ShouldBeFalse();
        var second = await Should.ThrowAsync<HttpException>(() => anonymous.OnboardingAsync(Onboarding()));
        second.Status.ShouldBe(422);
        second.Message.ShouldContain("onboarding has already been completed");
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Write_token_writes_read_token_reads_and_cannot_write()
    {
        var (orgId, bucketId) = await BootstrapAsync();
        using var admin = new InfluxDBClient(influx.Url, AdminToken);
        var authorizations = admin.GetAuthorizationsApi();
        var writer = await authorizations.CreateAuthorizationAsync(new AuthorizationPostRequest(
            orgID: orgId, permissions: [Grant(Permission.ActionEnum.Write, orgId, bucketId)], description: "metrics-operator: telegraf write"));
        var reader = await authorizations.CreateAuthorizationAsync(new AuthorizationPostRequest(
            orgID: orgId, permissions: [Grant(Permission.ActionEnum.Read, orgId, bucketId)], description: "metrics-operator: grafana read"));

        using (var telegraf = new InfluxDBClient(influx.Url, writer.Token))
        {
            var now = DateTime.UtcNow;
            await telegraf.GetWriteApiAsync().WritePointsAsync(
            [
                PointData.Measurement("requests").Tag("app", "butler").Field("latency", 0.25).Timestamp(now.AddSeconds(-2), WritePrecision.Ns),
                PointData.Measurement("requests").Tag("app", "butler").Field("latency", 0.5).Timestamp(now.AddSeconds(-1), WritePrecision.Ns),
                PointData.Measurement("requests").Tag("app", "sasquatch").Field("count", 3L).Timestamp(now.AddSeconds(-1), WritePrecision.Ns),
            ], "metrics", "lsst");
        }

        using var grafana = new InfluxDBClient(influx.Url, reader.Token);
        var tables = await grafana.GetQueryApi().QueryAsync("from(bucket: \"metrics\") |> range(start: -1h)", "lsst");
        var latency = tables.Single(t => t.Records[0].GetField() == "latency");
        latency.Records.Select(r => (double)r.GetValue()).ShouldBe([0.25, 0.5]);
        latency.Records.ShouldAllBe(r => (string)r.GetValueByKey("app") == "butler");
        tables.Single(t => t.Records[0].GetField() == "count").Records.Single().GetValue().ShouldBe(3L);

        var refused = await Should.ThrowAsync<HttpException>(() => grafana.GetWriteApiAsync().WriteRecordAsync(
            "requests,app=butler latency=1", WritePrecision.Ns, "metrics", "lsst"));
        refused.Status.ShouldBe(401);
        influx.State.Points(bucketId).Count.ShouldBe(3, "the refused write stored nothing");
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_token_is_returned_only_when_created()
    {
        var (orgId, bucketId) = await BootstrapAsync();
        using var admin = new InfluxDBClient(influx.Url, AdminToken);
        var api = admin.GetAuthorizationsApi();

        var created = await api.CreateAuthorizationAsync(new AuthorizationPostRequest(
            orgID: orgId, permissions: [Grant(Permission.ActionEnum.Write, orgId, bucketId)], description: "metrics-operator: telegraf write"));

        created.Token.ShouldNotBeNullOrEmpty();
        (await api.FindAuthorizationByIdAsync(created.Id)).Token.ShouldBeNull();
        var listed = await api.FindAuthorizationsAsync();
        listed.Count.ShouldBe(2);
        listed.ShouldAllBe(a => a.Token == null);
        listed.Single(a => a.Id == created.Id).Description.ShouldBe("metrics-operator: telegraf write");
        influx.State.Authorizations.ShouldNotContain(a => a.TokenHash == created.Token, "only the hash is stored");

        await api.DeleteAuthorizationAsync(created.Id);
        using var revoked = new InfluxDBClient(influx.Url, created.Token);
        var refused = await Should.ThrowAsync<HttpException>(() => revoked.GetWriteApiAsync().WriteRecordAsync("m v=1", WritePrecision.Ns, "metrics", "lsst"));
        refused.Status.ShouldBe(401);
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Buckets_keep_retention_and_refuse_duplicate_names()
    {
        var (orgId, _) = await BootstrapAsync();
        using var admin = new InfluxDBClient(influx.Url, AdminToken);
        var buckets = admin.GetBucketsApi();

        var created = await buckets.CreateBucketAsync("archive", new BucketRetentionRules(everySeconds: 30 * 86400), orgId);
        created.RetentionRules.Single().EverySeconds.ShouldBe(30 * 86400);
        created.RetentionRules[0].EverySeconds = 0;
        var updated = await buckets.UpdateBucketAsync(created);
        updated.RetentionRules.Single().EverySeconds.ShouldBe(0);
        influx.State.Buckets.Single(b => b.Name == "archive").RetentionSeconds.ShouldBe(0);
        (await buckets.FindBucketByNameAsync("archive")).Id.ShouldBe(created.Id);

        var duplicate = await Should.ThrowAsync<HttpException>(() => buckets.CreateBucketAsync("archive", orgId));
        duplicate.Status.ShouldBe(422);
        influx.Contract.AssertNoContractViolations();
    }

    private static OnboardingRequest Onboarding() =>
        new(username: "admin", password: "correct-horse-battery", org: "lsst", bucket: "metrics", retentionPeriodSeconds: 0, token: AdminToken);

    private static Permission Grant(Permission.ActionEnum action, string orgId, string bucketId) =>
        new(action, new PermissionResource(PermissionResource.TypeBuckets, bucketId, orgID: orgId));

    private async Task<(string OrgId, string BucketId)> BootstrapAsync()
    {
        using var anonymous = new InfluxDBClient(influx.Url);
        var response = await anonymous.OnboardingAsync(Onboarding());
        return (response.Org.Id, response.Bucket.Id);
    }
}

using MetricsOperator.Fakes.Influx;
using MetricsOperator.Influx;
using InfluxDbrp = MetricsOperator.Influx.InfluxDbrp;

namespace MetricsOperator.Tests.Influx;

/// <summary>
/// <see cref="InfluxApi.ListDbrpsAsync"/> reads the list's JSON itself (the client's DBRP model drops "virtual"): against
/// the InfluxDB fake it keeps the flag, and an error status still leaves as an <see cref="InfluxApiException"/>.
/// </summary>
public sealed class InfluxApiDbrpTests : IAsyncLifetime
{
    private InfluxFake influx = null!;
    private InfluxOnboarding setup = null!;

    public async Task InitializeAsync()
    {
        influx = await InfluxFake.StartNewAsync();
        setup = influx.Onboard();
    }

    public async Task DisposeAsync() => await influx.DisposeAsync();

    [Fact]
    public async Task The_list_tells_the_virtual_mapping_from_the_one_created()
    {
        using var api = Api(setup.Token);

        var before = await api.ListDbrpsAsync(setup.Org.Id, "metrics", CancellationToken.None);
        await api.CreateDbrpAsync(setup.Org.Id, setup.Bucket.Id, "metrics", DbrpPlan.RetentionPolicy, true, CancellationToken.None);
        var after = await api.ListDbrpsAsync(setup.Org.Id, "metrics", CancellationToken.None);

        before.ShouldBe([new InfluxDbrp(setup.Bucket.Id, setup.Bucket.Id, "metrics", "autogen", IsDefault: true, IsVirtual: true)]);
        after.Count(m => m.IsVirtual).ShouldBe(1);
        after.Single(m => !m.IsVirtual).ShouldSatisfyAllConditions(m => m.IsDefault.ShouldBeTrue(), m => m.BucketId.ShouldBe(setup.Bucket.Id));
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_refused_token_is_an_unauthorized_failure()
    {
        using var api = Api("not-a-token");

        var failure = await Should.ThrowAsync<InfluxApiException>(() => api.ListDbrpsAsync(setup.Org.Id, "metrics", CancellationToken.None));

        failure.Failure.ShouldBe(InfluxFailure.Unauthorized);
    }

    private InfluxApi Api(string token) => new(new Uri(influx.Url), new InfluxSecret(token), InfluxClientOptions.Default with { Retries = 0 });
}

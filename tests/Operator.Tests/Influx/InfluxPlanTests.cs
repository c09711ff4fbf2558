using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Influx;

namespace MetricsOperator.Tests.Influx;

/// <summary>The pure decisions of the InfluxDB wiring: durations, token scopes and descriptions, plans, backoff.</summary>
public sealed class InfluxPlanTests
{
    [Theory]
    [InlineData("0s", 0)]
    [InlineData("1h", 3600)]
    [InlineData("720h", 2592000)]
    [InlineData("52w", 31449600)]
    [InlineData("1d12h30m15s", 131415)]
    [InlineData("90m", 5400)]
    public void Durations_parse_to_seconds(string text, long seconds) => RetentionDuration.Parse(text).ShouldBe(seconds);

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("h")]
    [InlineData("1y")]
    [InlineData("1h 2m")]
    [InlineData("-1h")]
    [InlineData("99999999999999999999s")]
    public void Malformed_durations_are_refused(string text) => SpecDuration.TryParse(text, out _).ShouldBeFalse();

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(3600, "1h")]
    [InlineData(2592000, "4w2d")]
    [InlineData(90061, "1d1h1m1s")]
    public void Seconds_format_in_the_largest_units(long seconds, string text) => SpecDuration.Format(seconds).ShouldBe(text);

    [Fact]
    public void Status_keeps_the_spec_spelling_when_it_means_the_same()
    {
        RetentionDuration.Describe(2592000, "720h").ShouldBe("720h");
        RetentionDuration.Describe(3600, "720h").ShouldBe("1h");
    }

    [Theory]
    [InlineData("0s", null)]
    [InlineData("1h", null)]
    [InlineData("30m", "shorter than InfluxDB's minimum")]
    [InlineData("forever", "not a duration")]
    public void Retention_problems_are_named(string text, string? problem)
    {
        var found = RetentionDuration.Problem(text);
        if (problem is null)
        {
            found.ShouldBeNull();
        }
        else
        {
            found.ShouldNotBeNull().ShouldContain(problem);
        }
    }

    [Fact]
    public void Scoped_tokens_grant_one_action_on_the_one_bucket_and_are_described_per_stack()
    {
        var stack = new V1Alpha1MetricsStack { Metadata = new V1ObjectMeta { Name = "metrics", NamespaceProperty = "observability" } };

        ScopedToken.TelegrafWrite.Description(stack).ShouldBe("metrics-operator:observability/metrics:telegraf-write");
        ScopedToken.GrafanaRead.Description(stack).ShouldBe("metrics-operator:observability/metrics:grafana-read");
        ScopedToken.TelegrafWrite.SecretName(stack).ShouldBe("metrics-telegraf-token");
        ScopedToken.GrafanaRead.SecretName(stack).ShouldBe("metrics-grafana-token");
        ScopedToken.TelegrafWrite.Permissions("org1", "b1").ShouldBe([new InfluxGrant("write", "buckets", "b1", "org1")]);
        ScopedToken.GrafanaRead.Permissions("org1", "b1").ShouldBe([new InfluxGrant("read", "buckets", "b1", "org1")]);
    }

    private static readonly IReadOnlyList<InfluxGrant> Write = [new("write", "buckets", "b1", "o1")];

    private static InfluxAuthorization Auth(string id, bool active = true, IReadOnlyList<InfluxGrant>? grants = null) =>
        new(id, "metrics-operator:ns/metrics:telegraf-write", active, grants ?? Write);

    [Fact]
    public void The_stored_authorization_is_kept_and_leftovers_deleted()
    {
        var plan = AuthorizationPlan.Compute([Auth("a"), Auth("orphan")], "a", Write);

        plan.Mint.ShouldBeFalse();
        plan.KeepId.ShouldBe("a");
        plan.Delete.ShouldBe(["orphan"]);
        AuthorizationPlan.Compute([Auth("a")], "a", Write).IsNoOp.ShouldBeTrue();
    }

    [Fact]
    public void A_lost_secret_mints_a_new_token_then_deletes_the_old_one()
    {
        var plan = AuthorizationPlan.Compute([Auth("old")], storedId: null, Write);

        plan.Mint.ShouldBeTrue();
        plan.Delete.ShouldBe(["old"]);
        plan.Why.ShouldContain("no token");
    }

    [Theory]
    [InlineData("gone", "no longer exists")]
    [InlineData("inactive", "inactive")]
    [InlineData("wider", "other permissions")]
    public void A_stored_authorization_that_is_gone_inactive_or_wrong_is_replaced(string stored, string why)
    {
        IReadOnlyList<InfluxAuthorization> observed =
        [
            Auth("inactive", active: false),
            Auth("wider", grants: [.. Write, new InfluxGrant("read", "buckets", null, "o1")]),
        ];

        var plan = AuthorizationPlan.Compute(observed, stored, Write);

        plan.Mint.ShouldBeTrue();
        plan.Why.ShouldContain(why);
        plan.Delete.ShouldBe(["inactive", "wider"]);
    }

    [Fact]
    public void Buckets_are_created_or_their_retention_set_never_deleted()
    {
        BucketPlan.Compute(null, 0).ShouldBe(BucketAction.Create);
        BucketPlan.Compute(new InfluxBucket("b", "metrics", "o", 3600), 0).ShouldBe(BucketAction.UpdateRetention);
        BucketPlan.Compute(new InfluxBucket("b", "metrics", "o", 0), 0).ShouldBe(BucketAction.None);
        Enum.GetNames<BucketAction>().ShouldNotContain(n => n.Contains("Delete", StringComparison.Ordinal));
    }

    [Fact]
    public void The_dbrp_maps_the_bucket_name_to_autogen_as_default()
    {
        DbrpPlan.Compute([], "metrics", "b1").Action.ShouldBe(DbrpAction.Create);
        DbrpPlan.Compute([new InfluxDbrp("d", "b1", "metrics", "autogen", true)], "metrics", "b1").Action.ShouldBe(DbrpAction.None);
        DbrpPlan.Compute([new InfluxDbrp("d", "b1", "metrics", "autogen", false)], "metrics", "b1").Action.ShouldBe(DbrpAction.MakeDefault);
        DbrpPlan.Compute([new InfluxDbrp("d", "old", "metrics", "autogen", true)], "metrics", "b1").Action.ShouldBe(DbrpAction.Replace);
        DbrpPlan.Compute([new InfluxDbrp("d", "b1", "metrics", "weekly", true)], "metrics", "b1").Action.ShouldBe(DbrpAction.Create);
    }

    [Fact]
    public void A_virtual_mapping_is_never_taken_for_the_operators()
    {
        var virtualOne = new InfluxDbrp("b1", "b1", "metrics", "autogen", IsDefault: true, IsVirtual: true);
        var physical = new InfluxDbrp("d", "b1", "metrics", "autogen", IsDefault: true);

        DbrpPlan.Compute([virtualOne], "metrics", "b1").ShouldBe((DbrpAction.Create, (InfluxDbrp?)null));
        DbrpPlan.Compute([virtualOne with { IsDefault = false }, physical], "metrics", "b1").ShouldBe((DbrpAction.None, physical));
        DbrpPlan.Compute([virtualOne with { IsDefault = false }, physical with { IsDefault = false }], "metrics", "b1").ShouldBe((DbrpAction.MakeDefault, physical with { IsDefault = false }));
        DbrpPlan.Compute([virtualOne with { BucketId = "old", Id = "old" }], "metrics", "b1").Action.ShouldBe(DbrpAction.Create, "a virtual mapping is not replaced either");
    }

    [Fact]
    public void The_dbrp_listing_keeps_the_virtual_flag_the_client_model_drops()
    {
        const string body = """
            {"content": [
              {"id": "d1", "orgID": "o", "bucketID": "b1", "database": "metrics", "retention_policy": "autogen", "default": true, "virtual": false},
              {"id": "b1", "orgID": "o", "bucketID": "b1", "database": "metrics", "retention_policy": "autogen", "default": false, "virtual": true},
              {"id": "d2", "orgID": "o", "bucketID": "b2", "database": "old", "retention_policy": "weekly", "default": false}
            ]}
            """;

        DbrpListing.Parse(body).ShouldBe(
        [
            new InfluxDbrp("d1", "b1", "metrics", "autogen", true, false),
            new InfluxDbrp("b1", "b1", "metrics", "autogen", false, true),
            new InfluxDbrp("d2", "b2", "old", "weekly", false, false),
        ]);
        DbrpListing.Parse("{}").ShouldBeEmpty();
    }

    [Fact]
    public void Backoff_doubles_to_a_ceiling_and_resets_after_success()
    {
        var backoff = new InfluxBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

        var delays = Enumerable.Range(0, 9).Select(_ => backoff.Failed("stack")).ToList();
        delays.Take(4).ShouldBe([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40)]);
        delays[^1].ShouldBe(TimeSpan.FromMinutes(5));
        backoff.Succeeded("stack");
        backoff.Failed("stack").ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Secrets_in_memory_never_print()
    {
        var credentials = AdminCredentials.Generate();

        credentials.Token.Reveal().Length.ShouldBeGreaterThanOrEqualTo(60);
        credentials.ToString().ShouldNotContain(credentials.Token.Reveal());
        $"{credentials.Token} {credentials.Password} {new CreatedAuthorization("id", credentials.Token)}".ShouldNotContain(credentials.Token.Reveal());
        AdminCredentials.Generate().Token.ShouldNotBe(credentials.Token);
    }

    [Fact]
    public void Admin_credentials_read_back_from_their_secret_data()
    {
        var credentials = AdminCredentials.Generate();
        var (read, missing) = AdminCredentials.From(new V1Secret { Data = credentials.ToData() });

        missing.ShouldBeNull();
        read.ShouldBe(credentials);
        AdminCredentials.From(new V1Secret { Data = new Dictionary<string, byte[]> { ["admin-token"] = "t"u8.ToArray() } }).MissingKey.ShouldBe("admin-password");
    }
}

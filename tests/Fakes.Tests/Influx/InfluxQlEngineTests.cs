using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MetricsOperator.Fakes.Influx;

namespace MetricsOperator.Fakes.Tests.Influx;

/// <summary>
/// The fake's v1 <c>/query</c> with a real InfluxQL engine (influxd 1.6.7, started by <see cref="RealInflux"/>): points
/// written to the fake are queried with real InfluxQL through the fake's DBRP mappings and token rules, and errors come
/// back in InfluxDB 2's shape. Without an engine, the fake keeps its subset and answers 501 outside it.
/// </summary>
public sealed class InfluxQlEngineTests(RealInflux real) : IClassFixture<RealInflux>
{
    private static string Now => $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}000000";

    private static async Task<(InfluxFake Fake, HttpClient Http, InfluxOnboarding Setup)> StartAsync(Uri? engine)
    {
        var fake = await InfluxFake.StartNewAsync(engine);
        var setup = fake.Onboard(bucket: $"metrics{Guid.NewGuid():N}"[..16]);
        var http = fake.CreateClient(TimeSpan.FromSeconds(10));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", setup.Token);
        return (fake, http, setup);
    }

    private static Task<HttpResponseMessage> QueryAsync(HttpClient http, string db, string q) =>
        http.GetAsync($"/query?db={Uri.EscapeDataString(db)}&q={Uri.EscapeDataString(q)}");

    [Fact]
    public async Task Real_influxql_runs_over_the_points_written_to_the_fake_through_its_dbrp_mapping()
    {
        var (fake, http, setup) = await StartAsync(new Uri(real.Url));
        await using var _ = fake;
        using var __ = http;
        var written = await http.PostAsync($"/api/v2/write?org=lsst&bucket={setup.Bucket.Name}",
            new StringContent($"login,app=gafaelfawr elapsed=0.5 {Now}\nlogin,app=gafaelfawr elapsed=1.5 {Now[..^9]}{"000000001"}"));
        written.StatusCode.ShouldBe(HttpStatusCode.NoContent);

        // The bucket's virtual DBRP mapping (database = bucket name) resolves it; count() and mean() are the engine's.
        var response = await QueryAsync(http, setup.Bucket.Name, "SELECT count(\"elapsed\"), mean(\"elapsed\") FROM \"login\" WHERE time > now() - 5m");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var values = (await response.Content.ReadFromJsonAsync<JsonObject>())!["results"]![0]!["series"]![0]!["values"]![0]!.AsArray();
        values[1]!.GetValue<long>().ShouldBe(2);
        values[2]!.GetValue<double>().ShouldBe(1.0);
        fake.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_parse_error_is_influxdb_2s_400_with_code_and_message()
    {
        var (fake, http, setup) = await StartAsync(new Uri(real.Url));
        await using var _ = fake;
        using var __ = http;

        var response = await QueryAsync(http, setup.Bucket.Name, "SELECT count(\"id\") FRM \"login\"");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)error["code"]).ShouldBe("invalid");
        ((string?)error["message"]).ShouldBe("failed to parse query: found FRM, expected FROM at line 1, char 20");
    }

    [Fact]
    public async Task A_statement_error_is_a_200_with_the_error_in_its_result()
    {
        var (fake, http, setup) = await StartAsync(new Uri(real.Url));
        await using var _ = fake;
        using var __ = http;

        var response = await QueryAsync(http, setup.Bucket.Name, "SELECT \"id\", count(\"id\") FROM \"login\"");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = (await response.Content.ReadFromJsonAsync<JsonObject>())!["results"]![0]!;
        ((string?)result["error"]).ShouldBe("mixing aggregate and non-aggregate queries is not supported");
    }

    [Fact]
    public async Task A_token_that_cannot_read_the_bucket_finds_no_database_but_still_gets_parse_errors()
    {
        var (fake, http, setup) = await StartAsync(new Uri(real.Url));
        await using var _ = fake;
        using var __ = http;
        (await http.PostAsync($"/api/v2/write?org=lsst&bucket={setup.Bucket.Name}", new StringContent($"login id=1i {Now}"))).EnsureSuccessStatusCode();
        var created = await http.PostAsJsonAsync("/api/v2/authorizations", new
        {
            orgID = setup.Org.Id,
            permissions = new[] { new { action = "write", resource = new { type = "buckets", id = setup.Bucket.Id, orgID = setup.Org.Id } } },
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        using var writer = fake.CreateClient();
        writer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", (string?)(await created.Content.ReadFromJsonAsync<JsonObject>())!["token"]);

        var good = await QueryAsync(writer, setup.Bucket.Name, $"SELECT count(\"id\") FROM \"{setup.Bucket.Name}\".\"autogen\".\"login\"");
        var broken = await QueryAsync(writer, setup.Bucket.Name, "SELEC 1");

        good.StatusCode.ShouldBe(HttpStatusCode.OK);
        ((string?)(await good.Content.ReadFromJsonAsync<JsonObject>())!["results"]![0]!["error"]).ShouldBe($"database not found: {setup.Bucket.Name}");
        broken.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        ((string?)(await broken.Content.ReadFromJsonAsync<JsonObject>())!["message"]).ShouldStartWith("failed to parse query: found SELEC");
    }

    [Fact]
    public async Task Without_an_engine_the_subset_answers_and_anything_else_is_501_not_a_parse_error()
    {
        var (fake, http, setup) = await StartAsync(engine: null);
        await using var _ = fake;
        using var __ = http;
        fake.InfluxQlEngine.ShouldBeNull();
        (await http.PostAsync($"/api/v2/write?org=lsst&bucket={setup.Bucket.Name}", new StringContent($"login id=1i {Now}"))).EnsureSuccessStatusCode();

        var subset = await QueryAsync(http, setup.Bucket.Name, "SELECT * FROM login WHERE time > now() - 1h");
        var other = await QueryAsync(http, setup.Bucket.Name, "SELECT count(\"id\") FROM \"login\"");

        subset.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await subset.Content.ReadFromJsonAsync<JsonObject>())!["results"]![0]!["series"]![0]!["values"]!.AsArray().Count.ShouldBe(1);
        other.StatusCode.ShouldBe(HttpStatusCode.NotImplemented);
        ((string?)(await other.Content.ReadFromJsonAsync<JsonObject>())!["code"]).ShouldBe("not implemented");
    }
}

using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MetricsOperator.Fakes.Influx;

namespace MetricsOperator.Fakes.Tests.Influx;

/// <summary>Line protocol, DBRP + InfluxQL, backups, faults and counters, over plain HTTP.</summary>
public sealed class InfluxBehaviourTests : IAsyncLifetime
{
    private InfluxFake influx = null!;
    private HttpClient http = null!;
    private InfluxOnboarding setup = null!;

    public async Task InitializeAsync()
    {
        influx = await InfluxFake.StartNewAsync();
        setup = influx.Onboard();
        http = influx.CreateClient(TimeSpan.FromSeconds(5));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", setup.Token);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await influx.DisposeAsync();
    }

    [Fact]
    public async Task Malformed_line_protocol_is_refused_with_its_line_and_nothing_is_stored()
    {
        var response = await http.PostAsync("/api/v2/write?org=lsst&bucket=metrics", new StringContent("good v=1 1\nbad v=\"unterminated 2"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        error["line"]!.GetValue<int>().ShouldBe(2);
        error["message"]!.GetValue<string>().ShouldContain("unbalanced quotes");
        influx.State.Points(setup.Bucket.Id).ShouldBeEmpty();
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Gzip_writes_with_precision_are_stored_and_a_field_type_conflict_is_reported()
    {
        var gz = new MemoryStream();
        await using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            await zip.WriteAsync(Encoding.UTF8.GetBytes("cpu,host=a\\ b usage=1.5,count=2i,ok=t,msg=\"say \\\"hi\\\"\" 1700000000\n"));
        }

        using var content = new ByteArrayContent(gz.ToArray());
        content.Headers.ContentEncoding.Add("gzip");
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        (await http.PostAsync("/api/v2/write?org=lsst&bucket=metrics&precision=s", content)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var point = influx.State.Points(setup.Bucket.Id).ShouldHaveSingleItem();
        point.TimeNs.ShouldBe(1_700_000_000_000_000_000);
        point.Tags.ShouldBe([new("host", "a b")]);
        point.Fields.Single(f => f.Key == "msg").Value.Value.ShouldBe("say \"hi\"");
        point.Fields.Single(f => f.Key == "count").Value.Type.ShouldBe(InfluxFieldType.Integer);

        var conflict = await http.PostAsync("/api/v2/write?org=lsst&bucket=metrics", new StringContent("cpu,host=x count=2.5 1"));
        conflict.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await conflict.Content.ReadAsStringAsync()).ShouldContain("field type conflict");
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task InfluxQL_reads_through_a_DBRP_mapping()
    {
        var created = await http.PostAsJsonAsync("/api/v2/dbrps", new { orgID = setup.Org.Id, bucketID = setup.Bucket.Id, database = "metrics", retention_policy = "autogen" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await created.Content.ReadFromJsonAsync<JsonObject>())!["default"]!.GetValue<bool>().ShouldBeTrue("the first mapping of a database is its default");
        await http.PostAsync("/api/v2/write?org=lsst&bucket=metrics", new StringContent($"requests,app=butler latency=0.5 {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}000000"));

        var result = await http.GetFromJsonAsync<JsonObject>("/query?db=metrics&q=" + Uri.EscapeDataString("SELECT * FROM requests WHERE time > now() - 1h"));

        var series = result!["results"]![0]!["series"]![0]!;
        series["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["time", "latency", "app"]);
        series["values"]![0]![1]!.GetValue<double>().ShouldBe(0.5);
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Every_bucket_lists_a_virtual_mapping_the_default_until_a_physical_one_targets_the_bucket()
    {
        var before = await ListAsync("db=metrics");

        var only = before.ShouldHaveSingleItem();
        ((string?)only["id"]).ShouldBe(setup.Bucket.Id, "a virtual mapping carries its bucket's ID");
        ((string?)only["bucketID"]).ShouldBe(setup.Bucket.Id);
        ((string?)only["orgID"]).ShouldBe(setup.Org.Id);
        ((string?)only["retention_policy"]).ShouldBe("autogen");
        ((bool?)only["default"]).ShouldBe(true);
        ((bool?)only["virtual"]).ShouldBe(true);
        (await http.GetFromJsonAsync<JsonObject>($"/api/v2/dbrps/{setup.Bucket.Id}?orgID={setup.Org.Id}"))!["content"]!["virtual"]!.GetValue<bool>().ShouldBeTrue();

        var created = await http.PostAsJsonAsync("/api/v2/dbrps", new { orgID = setup.Org.Id, bucketID = setup.Bucket.Id, database = "metrics", retention_policy = "autogen" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, "a virtual mapping does not take the database and retention policy");
        var after = await ListAsync("db=metrics");

        var physical = after.Single(m => (bool?)m["virtual"] == false);
        ((bool?)physical["default"]).ShouldBe(true);
        physical["id"]!.GetValue<string>().ShouldNotBe(setup.Bucket.Id);
        var shadowed = after.Single(m => (bool?)m["virtual"] == true);
        ((bool?)shadowed["default"]).ShouldBe(false, "InfluxDB keeps listing the virtual mapping, no longer the default");
        (await ListAsync("db=metrics&default=true")).ShouldHaveSingleItem()["id"]!.GetValue<string>().ShouldBe(physical["id"]!.GetValue<string>());
        (await ListAsync("db=_monitoring")).ShouldHaveSingleItem()["virtual"]!.GetValue<bool>().ShouldBeTrue("system buckets have one too");
        influx.Contract.AssertNoContractViolations();
    }

    private async Task<List<JsonObject>> ListAsync(string query)
    {
        var listed = await http.GetFromJsonAsync<JsonObject>($"/api/v2/dbrps?orgID={setup.Org.Id}&{query}");
        return [.. listed!["content"]!.AsArray().Select(m => m!.AsObject())];
    }

    [Fact]
    public async Task A_backup_restores_bucket_and_points()
    {
        await http.PostAsync("/api/v2/write?org=lsst&bucket=metrics", new StringContent("m,t=1 v=1 10\nm,t=2 v=2 20"));

        var metadata = await http.GetAsync("/api/v2/backup/metadata");
        metadata.StatusCode.ShouldBe(HttpStatusCode.OK);
        metadata.Content.Headers.ContentType!.MediaType.ShouldBe("multipart/mixed");
        var text = await metadata.Content.ReadAsStringAsync();
        text.ShouldContain("name=\"buckets\"");
        var shard = await http.GetStringAsync($"/api/v2/backup/shards/{setup.Bucket.ShardId}");
        shard.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2);

        var restored = await http.PostAsJsonAsync("/api/v2/restore/bucketMetadata", new
        {
            organizationID = setup.Org.Id, organizationName = "lsst", bucketID = setup.Bucket.Id, bucketName = "metrics-restored",
            defaultRetentionPolicy = "autogen",
            retentionPolicies = new[]
            {
                new
                {
                    name = "autogen", replicaN = 1, duration = 0L, shardGroupDuration = 604800000000000L, subscriptions = Array.Empty<object>(),
                    shardGroups = new[] { new { id = 1, startTime = "1970-01-01T00:00:00Z", endTime = "2262-01-01T00:00:00Z", shards = new[] { new { id = setup.Bucket.ShardId, shardOwners = new[] { new { nodeID = 0 } } } } } },
                },
            },
        });
        restored.StatusCode.ShouldBe(HttpStatusCode.Created);
        var newShard = (await restored.Content.ReadFromJsonAsync<JsonObject>())!["shardMappings"]![0]!["newId"]!.GetValue<long>();
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes(shard));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        (await http.PostAsync($"/api/v2/restore/shards/{newShard}", body)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        influx.State.Points(influx.State.FindBucketByName("metrics-restored")!.Id).Count.ShouldBe(2);
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Faults_take_it_down_and_back_and_counters_see_every_request()
    {
        influx.Requests.Reset();
        (await http.GetAsync("/api/v2/buckets")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await influx.StopAsync();
        await Should.ThrowAsync<HttpRequestException>(() => http.GetAsync("/api/v2/buckets"));
        await influx.StartAsync();
        (await http.GetAsync("/api/v2/buckets")).StatusCode.ShouldBe(HttpStatusCode.OK, "same port, same state after a restart");

        influx.Faults.Unavailable = true;
        (await http.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        influx.Faults.Unavailable = false;
        influx.Faults.FailNext(1, 500, "GET", "/api/v2/buckets");
        (await http.GetAsync("/api/v2/buckets")).StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await http.GetAsync("/api/v2/buckets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        influx.Faults.Latency = TimeSpan.FromSeconds(10);
        using (var impatient = influx.CreateClient(TimeSpan.FromMilliseconds(200)))
        {
            await Should.ThrowAsync<TaskCanceledException>(() => impatient.GetAsync("/ping"));
        }

        influx.Faults.Clear();
        influx.Requests.Count("GET", "/api/v2/buckets").ShouldBe(4);
        influx.Requests.Count("GET", "/health").ShouldBe(1);
        influx.Requests.Writes.ShouldBe(0);
        influx.Contract.AssertNoContractViolations();
    }
}

using System.Net.Http.Headers;
using System.Text;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.Influx;

namespace MetricsOperator.Tests.Backup;

/// <summary>InfluxDB data backups through the backup API of the InfluxDB fake, streamed to s3rver, and restored.</summary>
[Collection(S3rverTests.Name)]
public sealed class InfluxBackupTests(S3rverFixture s3) : IDisposable
{
    private readonly S3BackupDestination destination = new(s3.Settings($"env-{Guid.NewGuid():N}/"));

    public void Dispose() => destination.Dispose();

    [Fact]
    public async Task Backup_and_restore_round_trip_through_the_fake_and_a_bucket_with_data_needs_force()
    {
        await using var source = await InfluxFake.StartNewAsync();
        var onboarding = source.Onboard();
        await WriteAsync(source, onboarding.Token, "requests,app=butler latency=12.5 1700000000000000000\nrequests,app=butler latency=7 1700000001000000000\n");
        var store = new SnapshotStore(destination, SnapshotNames.InfluxDb);
        using (var api = new InfluxBackupApi(source.BaseUri, new InfluxSecret(onboarding.Token)))
        {
            var result = await new InfluxBackup(api, store).RunAsync(new BackupRunOptions(Keep: 3), default);
            result.Written.ShouldBeTrue();
            var manifest = (await store.ReadManifestAsync(result.Snapshot, default))!;
            manifest.Files.Select(f => f.Path).ShouldContain(InfluxBackup.BucketsFile);
            manifest.Files.Select(f => f.Path).ShouldContain(InfluxBackup.ShardFile(onboarding.Bucket.ShardId));
        }

        // A new InfluxDB, set up by the operator: its bucket exists and is empty, so the restore replaces it.
        await using var target = await InfluxFake.StartNewAsync();
        var fresh = target.Onboard();
        using var targetApi = new InfluxBackupApi(target.BaseUri, new InfluxSecret(fresh.Token));
        var restored = await new InfluxRestore(targetApi, store).RestoreAsync("latest", force: false, default);
        restored.Shards.ShouldBe(1);
        var bucketId = restored.Buckets["metrics"];
        target.State.Points(bucketId).Count.ShouldBe(2);

        // Again without --force: refused, nothing touched; with --force: the same end state.
        var refused = await Should.ThrowAsync<RestoreRefusedException>(() => new InfluxRestore(targetApi, store).RestoreAsync("latest", force: false, default));
        refused.Message.ShouldContain("--force");
        target.State.Points(bucketId).Count.ShouldBe(2);
        var forced = await new InfluxRestore(targetApi, store).RestoreAsync("latest", force: true, default);
        target.State.Points(forced.Buckets["metrics"]).Count.ShouldBe(2);
        target.Contract.AssertNoContractViolations();
        source.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_shard_changed_in_the_store_is_refused_before_InfluxDB_is_touched()
    {
        await using var source = await InfluxFake.StartNewAsync();
        var onboarding = source.Onboard();
        await WriteAsync(source, onboarding.Token, "requests,app=butler latency=1 1700000000000000000\n");
        var store = new SnapshotStore(destination, SnapshotNames.InfluxDb);
        using var api = new InfluxBackupApi(source.BaseUri, new InfluxSecret(onboarding.Token));
        var snapshot = (await new InfluxBackup(api, store).RunAsync(new BackupRunOptions(Keep: 3), default)).Snapshot;
        await destination.PutAsync(SnapshotNames.Key(SnapshotNames.InfluxDb, snapshot, InfluxBackup.ShardFile(onboarding.Bucket.ShardId)), new MemoryStream([1, 2, 3]), default);

        await using var target = await InfluxFake.StartNewAsync();
        var fresh = target.Onboard();
        using var targetApi = new InfluxBackupApi(target.BaseUri, new InfluxSecret(fresh.Token));
        target.Requests.Reset();
        var error = await Should.ThrowAsync<CorruptSnapshotException>(() => new InfluxRestore(targetApi, store).RestoreAsync(snapshot, force: true, default));
        error.Message.ShouldContain($"shards/{onboarding.Bucket.ShardId}.gz has SHA-256");
        target.Requests.Writes.ShouldBe(0);
    }

    [Fact]
    public async Task A_bucket_the_operator_makes_again_during_the_restore_is_replaced_too()
    {
        await using var source = await InfluxFake.StartNewAsync();
        var onboarding = source.Onboard();
        await WriteAsync(source, onboarding.Token, "requests,app=butler latency=3 1700000000000000000\n");
        var store = new SnapshotStore(destination, SnapshotNames.InfluxDb);
        using (var api = new InfluxBackupApi(source.BaseUri, new InfluxSecret(onboarding.Token)))
        {
            await new InfluxBackup(api, store).RunAsync(new BackupRunOptions(Keep: 3), default);
        }

        // The fresh stack's InfluxDB, and its operator reconciling right after the restore deleted the empty bucket.
        await using var target = await InfluxFake.StartNewAsync();
        var fresh = target.Onboard();
        using var racing = new OperatorMakesTheBucketAgain(target, fresh.Token, fresh.Bucket.OrgId);
        using var targetApi = new InfluxBackupApi(target.BaseUri, new InfluxSecret(fresh.Token), racing);

        var restored = await new InfluxRestore(targetApi, store).RestoreAsync("latest", force: false, default);

        racing.Recreated.ShouldBe(1, "the race happened");
        target.State.Points(restored.Buckets["metrics"]).Count.ShouldBe(1);
        target.State.FindBucketByName("metrics")!.Id.ShouldBe(restored.Buckets["metrics"]);
        target.Contract.AssertNoContractViolations();
    }

    /// <summary>After the first bucket DELETE, makes the bucket again as the operator's InfluxDB step would.</summary>
    private sealed class OperatorMakesTheBucketAgain(InfluxFake influx, string token, string orgId) : DelegatingHandler(new SocketsHttpHandler())
    {
        public int Recreated { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Delete && request.RequestUri!.AbsolutePath.StartsWith("/api/v2/buckets/", StringComparison.Ordinal) && Recreated == 0)
            {
                Recreated++;
                using var http = influx.CreateClient(TimeSpan.FromSeconds(5));
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", token);
                using var body = new StringContent($"{{\"name\":\"metrics\",\"orgID\":\"{orgId}\",\"retentionRules\":[]}}", Encoding.UTF8, "application/json");
                (await http.PostAsync(new Uri("/api/v2/buckets", UriKind.Relative), body, cancellationToken)).EnsureSuccessStatusCode();
            }

            return response;
        }
    }

    private static Task WriteAsync(InfluxFake influx, string token, string lines) => InfluxWrites.WriteAsync(influx, token, lines);
}

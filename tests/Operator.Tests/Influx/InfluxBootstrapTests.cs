using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Core.Exceptions;
using k8s.Models;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.Influx;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Integration;

namespace MetricsOperator.Tests.Influx;

/// <summary>
/// The InfluxDB wiring end to end: the real MetricsStack reconciler run by the runtime Manager as the operator's
/// ServiceAccount (RBAC-limited) on the real API server, talking to the contract-checked InfluxDB fake.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class InfluxBootstrapTests(ApiServerFixture fixture) : IAsyncLifetime
{
    private InfluxFake influx = null!;
    private InfluxOperator op = null!;

    public async Task InitializeAsync()
    {
        influx = await InfluxFake.StartNewAsync();
        op = await InfluxOperator.StartAsync(fixture.Plane, influx);
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        influx.Contract.AssertNoContractViolations();
        await influx.DisposeAsync();
    }

    [Fact]
    public async Task Fresh_bootstrap_sets_up_once_makes_bucket_dbrp_and_scoped_tokens_and_a_resync_writes_nothing()
    {
        await op.CreateStackAsync(new { influxdb = new { retention = "720h" } });
        await op.MakeInfluxDbReadyAsync();
        var stack = await op.WaitForInfluxAsync("True", InfluxReasons.Ready);

        influx.State.IsOnboarded.ShouldBeTrue();
        influx.Requests.Count("POST", "/api/v2/setup").ShouldBe(1);
        var bucket = influx.State.FindBucketByName("metrics").ShouldNotBeNull();
        bucket.RetentionSeconds.ShouldBe(720 * 3600);
        stack.Status.Bucket!.Name.ShouldBe("metrics");
        stack.Status.Bucket.Id.ShouldBe(bucket.Id);
        stack.Status.Bucket.Retention.ShouldBe("720h");
        stack.Status.Secrets!.Admin.ShouldBe("metrics-influxdb-admin");
        stack.Status.Secrets.TelegrafWriteToken.ShouldBe("metrics-telegraf-token");
        stack.Status.Secrets.GrafanaReadToken.ShouldBe("metrics-grafana-token");
        influx.State.Dbrps.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            d => d.Database.ShouldBe("metrics"), d => d.RetentionPolicy.ShouldBe("autogen"), d => d.IsDefault.ShouldBeTrue(), d => d.BucketId.ShouldBe(bucket.Id));

        var telegraf = influx.State.Authorizations.Single(a => a.Description == $"metrics-operator:{op.Namespace}/metrics:telegraf-write");
        telegraf.Id.ShouldBe(stack.Status.Secrets.TelegrafWriteTokenId);
        telegraf.Permissions.ShouldHaveSingleItem().ShouldSatisfyAllConditions(p => p.Action.ShouldBe("write"), p => p.Type.ShouldBe("buckets"), p => p.Id.ShouldBe(bucket.Id));
        var grafana = influx.State.Authorizations.Single(a => a.Description == $"metrics-operator:{op.Namespace}/metrics:grafana-read");
        grafana.Permissions.ShouldHaveSingleItem().Action.ShouldBe("read");

        // The token Secrets belong to the stack (garbage-collected with it, minted again for a new one); the admin Secret
        // opens the InfluxDB volume that deletionPolicy Retain (the default) keeps, so it outlives the stack too.
        var admin = (await op.Admin.GetAsync<V1Secret>(op.Namespace, "metrics-influxdb-admin")).ShouldNotBeNull();
        admin.Metadata.OwnerReferences.ShouldBeNull();
        (await op.Admin.GetAsync<V1Secret>(op.Namespace, "metrics-telegraf-token")).ShouldNotBeNull().Metadata.OwnerReferences.ShouldHaveSingleItem().Uid.ShouldBe(stack.Metadata.Uid);

        // The pods roll onto the tokens: the token revision reaches the pod templates.
        await Eventually.UntilAsync(
            () => op.Admin.GetAsync<V1Deployment>(op.Namespace, "metrics-telegraf"),
            d => d?.Spec.Template.Metadata.Annotations?.TryGetValue(TokenRevision.Annotation, out var r) == true && r == telegraf.Id,
            "Telegraf's pod template names the write token's revision");
        await Eventually.UntilAsync(
            () => op.Admin.GetAsync<V1Deployment>(op.Namespace, "metrics-grafana"),
            d => d?.Spec.Template.Metadata.Annotations?.TryGetValue(TokenRevision.Annotation, out var r) == true && r == grafana.Id,
            "Grafana's pod template names the read token's revision");

        // A resync of the converged stack writes nothing to InfluxDB.
        await op.ReconcileAgainAsync();
        influx.Requests.Reset();
        await op.ReconcileAgainAsync();
        influx.Requests.Writes.ShouldBe(0, string.Join(", ", influx.Requests.Snapshot()));
        influx.Requests.Total.ShouldBeGreaterThan(0);

        await op.AssertNoSecretLeakedAsync();
    }

    [Fact]
    public async Task The_operator_creates_a_physical_dbrp_mapping_beside_the_virtual_one_InfluxDB_lists_for_the_bucket()
    {
        await op.CreateStackAsync();
        await op.MakeInfluxDbReadyAsync();
        await op.WaitForInfluxAsync("True", InfluxReasons.Ready);
        var bucket = influx.State.FindBucketByName("metrics").ShouldNotBeNull();
        var adminToken = (await op.SecretValueAsync("metrics-influxdb-admin", StackNames.AdminTokenKey)).ShouldNotBeNull();

        // Read back through the operator's own client, which keeps the "virtual" field.
        using var admin = new InfluxApi(new Uri(influx.Url), new InfluxSecret(adminToken), InfluxClientOptions.Default);
        var listed = await admin.ListDbrpsAsync(bucket.OrgId, "metrics", CancellationToken.None);

        var physical = listed.Single(m => !m.IsVirtual);
        physical.ShouldSatisfyAllConditions(
            m => m.BucketId.ShouldBe(bucket.Id), m => m.RetentionPolicy.ShouldBe("autogen"), m => m.IsDefault.ShouldBeTrue());
        listed.Single(m => m.IsVirtual).IsDefault.ShouldBeFalse("the physical mapping is now the database's default");
        influx.State.Dbrps.ShouldHaveSingleItem().Id.ShouldBe(physical.Id);
    }

    [Fact]
    public async Task The_telegraf_token_writes_the_grafana_token_reads_and_cannot_write()
    {
        await op.CreateStackAsync();
        await op.MakeInfluxDbReadyAsync();
        await op.WaitForInfluxAsync("True", InfluxReasons.Ready);
        var writeToken = (await op.SecretValueAsync("metrics-telegraf-token", "token")).ShouldNotBeNull();
        var readToken = (await op.SecretValueAsync("metrics-grafana-token", "token")).ShouldNotBeNull();

        using (var telegraf = new InfluxDBClient(influx.Url, writeToken))
        {
            await telegraf.GetWriteApiAsync().WriteRecordAsync($"requests,app=butler latency=0.25 {DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds() * 1_000_000}", WritePrecision.Ns, "metrics", "rubin");
            var notAllowed = await Should.ThrowAsync<HttpException>(() => telegraf.GetQueryApi().QueryAsync("from(bucket: \"metrics\") |> range(start: -1h)", "rubin"));
            notAllowed.Status.ShouldBe(404, "the write token cannot read the bucket");
        }

        using var grafana = new InfluxDBClient(influx.Url, readToken);
        var tables = await grafana.GetQueryApi().QueryAsync("from(bucket: \"metrics\") |> range(start: -1h)", "rubin");
        tables.ShouldHaveSingleItem().Records.ShouldHaveSingleItem().GetValue().ShouldBe(0.25);
        var refused = await Should.ThrowAsync<HttpException>(() => grafana.GetWriteApiAsync().WriteRecordAsync("requests,app=butler latency=1", WritePrecision.Ns, "metrics", "rubin"));
        refused.Status.ShouldBe(401);
        influx.State.Points(influx.State.FindBucketByName("metrics")!.Id).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Killed_after_writing_the_admin_secret_and_before_setup_completes_on_restart_with_that_token()
    {
        // Setup fails until the operator is killed, as if it died right after writing the Secret. (A fixed number of
        // failures raced with the reconcile our own status patch triggers: that one could set InfluxDB up first.)
        influx.Faults.FailNext(1000, 500, "POST", "/api/v2/setup");
        await op.CreateStackAsync();
        await op.MakeInfluxDbReadyAsync();
        await op.WaitForInfluxAsync("False", InfluxReasons.Unreachable);
        await op.KillAsync();
        var token = (await op.SecretValueAsync("metrics-influxdb-admin", StackNames.AdminTokenKey)).ShouldNotBeNull();
        influx.State.IsOnboarded.ShouldBeFalse();

        influx.Faults.Clear();
        await op.StartAgainAsync();
        await op.WaitForInfluxAsync("True", InfluxReasons.Ready);

        (await op.SecretValueAsync("metrics-influxdb-admin", StackNames.AdminTokenKey)).ShouldBe(token, "the Secret written before setup is the one used");
        influx.State.Authenticate(token).ShouldNotBeNull("InfluxDB was set up with the stored token");
        await op.AssertNoSecretLeakedAsync();
    }

    [Fact]
    public async Task Killed_after_setup_restarts_without_a_second_setup_and_keeps_the_tokens()
    {
        await op.CreateStackAsync();
        await op.MakeInfluxDbReadyAsync();
        var before = (await op.WaitForInfluxAsync("True", InfluxReasons.Ready)).Status.Secrets!;
        var writeToken = await op.SecretValueAsync("metrics-telegraf-token", "token");
        await op.KillAsync();
        influx.Requests.Reset();

        await op.StartAgainAsync();
        await op.ReconcileAgainAsync();
        var after = (await op.WaitForInfluxAsync("True", InfluxReasons.Ready)).Status.Secrets!;

        influx.Requests.Count("POST", "/api/v2/setup").ShouldBe(0);
        influx.Requests.Writes.ShouldBe(0, string.Join(", ", influx.Requests.Snapshot()));
        after.TelegrafWriteTokenId.ShouldBe(before.TelegrafWriteTokenId);
        after.GrafanaReadTokenId.ShouldBe(before.GrafanaReadTokenId);
        (await op.SecretValueAsync("metrics-telegraf-token", "token")).ShouldBe(writeToken);
        influx.State.Authorizations.Count(a => a.Description?.StartsWith(ScopedToken.DescriptionPrefix, StringComparison.Ordinal) == true).ShouldBe(2);
    }

    [Fact]
    public async Task A_lost_token_secret_gets_a_new_token_and_the_old_authorization_is_removed()
    {
        await op.CreateStackAsync();
        await op.MakeInfluxDbReadyAsync();
        var oldId = (await op.WaitForInfluxAsync("True", InfluxReasons.Ready)).Status.Secrets!.TelegrafWriteTokenId!;
        var oldToken = (await op.SecretValueAsync("metrics-telegraf-token", "token"))!;

        var oldUid = (await op.Admin.GetAsync<V1Secret>(op.Namespace, "metrics-telegraf-token"))!.Metadata.Uid;
        await op.Admin.DeleteAsync<V1Secret>(op.Namespace, "metrics-telegraf-token");
        // Gone, or already made again: the operator watches the Secrets it owns and may put it back between two polls.
        await Eventually.UntilAsync(
            async () => await op.Admin.GetAsync<V1Secret>(op.Namespace, "metrics-telegraf-token") is not { } secret || secret.Metadata.Uid != oldUid,
            "the Secret is gone");
        await op.ReconcileAgainAsync();

        var stack = await Eventually.UntilAsync(op.GetStackAsync, s => s!.Status.Secrets?.TelegrafWriteTokenId is { } id && id != oldId, "a new write token is recorded");
        var newToken = (await op.SecretValueAsync("metrics-telegraf-token", "token")).ShouldNotBeNull();
        newToken.ShouldNotBe(oldToken);
        influx.State.Authorizations.ShouldNotContain(a => a.Id == oldId);
        influx.State.Authenticate(oldToken).ShouldBeNull();
        influx.State.Authenticate(newToken).ShouldNotBeNull().Id.ShouldBe(stack!.Status.Secrets!.TelegrafWriteTokenId);
        await Eventually.UntilAsync(
            () => op.Admin.GetAsync<V1Deployment>(op.Namespace, "metrics-telegraf"),
            d => d?.Spec.Template.Metadata.Annotations?.TryGetValue(TokenRevision.Annotation, out var r) == true && r == stack.Status.Secrets.TelegrafWriteTokenId,
            "Telegraf's pods roll onto the new token");
        await Eventually.UntilAsync(async () => (await op.EventsAsync()).Any(e => e.Reason == InfluxReasons.TokenRotated), "a TokenRotated Event");
        await op.AssertNoSecretLeakedAsync();
    }

    [Fact]
    public async Task A_bucket_replaced_by_a_restore_gets_its_dbrp_mapping_and_tokens_again()
    {
        await op.CreateStackAsync();
        await op.MakeInfluxDbReadyAsync();
        await op.WaitForInfluxAsync("True", InfluxReasons.Ready);
        var old = influx.State.FindBucketByName("metrics")!;
        var oldWriteToken = (await op.SecretValueAsync("metrics-telegraf-token", "token")).ShouldNotBeNull();

        // `restore influxdb` into the fresh stack's empty bucket, from a snapshot of another InfluxDB's "metrics" bucket
        // (on a folder): the restored bucket takes its name, with a new ID. The operator keeps reconciling meanwhile.
        var folder = Directory.CreateTempSubdirectory("influx-snapshot-").FullName;
        var store = new SnapshotStore(new DirectoryBackupDestination(folder), SnapshotNames.InfluxDb);
        await using (var before = await InfluxFake.StartNewAsync())
        {
            var onboarding = before.Onboard(org: "rubin");
            using (var writer = new InfluxDBClient(before.Url, onboarding.Token))
            {
                await writer.GetWriteApiAsync().WriteRecordAsync("requests,app=butler latency=3 1700000000000000000", WritePrecision.Ns, "metrics", "rubin");
            }

            using var source = new InfluxBackupApi(before.BaseUri, new InfluxSecret(onboarding.Token));
            await new InfluxBackup(source, store).RunAsync(new BackupRunOptions(Keep: 1), default);
        }

        var adminToken = (await op.SecretValueAsync("metrics-influxdb-admin", StackNames.AdminTokenKey)).ShouldNotBeNull();
        using (var api = new InfluxBackupApi(influx.BaseUri, new InfluxSecret(adminToken)))
        {
            await new InfluxRestore(api, store).RestoreAsync("latest", force: false, default);
        }

        var replaced = influx.State.FindBucketByName("metrics")!;
        replaced.Id.ShouldNotBe(old.Id);
        influx.State.Points(replaced.Id).Count.ShouldBe(1, "the restored bucket holds the snapshot's data");
        await op.ReconcileAgainAsync();

        await Eventually.UntilAsync(
            () => Task.FromResult(influx.State.Dbrps.Any(d => d.Database == "metrics" && d.BucketId == replaced.Id && d.IsDefault)),
            "the DBRP mapping points at the restored bucket");
        var stack = await Eventually.UntilAsync(op.GetStackAsync, s => s!.Status.Bucket?.Id == replaced.Id, "status names the restored bucket");
        var newWriteToken = (await op.SecretValueAsync("metrics-telegraf-token", "token")).ShouldNotBeNull();
        newWriteToken.ShouldNotBe(oldWriteToken);
        var write = influx.State.Authenticate(newWriteToken).ShouldNotBeNull();
        write.Id.ShouldBe(stack!.Status.Secrets!.TelegrafWriteTokenId);
        write.Allows("write", "buckets", replaced.OrgId, replaced.Id).ShouldBeTrue("the new write token writes the restored bucket");
        var read = influx.State.Authenticate((await op.SecretValueAsync("metrics-grafana-token", "token")).ShouldNotBeNull()).ShouldNotBeNull();
        read.Allows("read", "buckets", replaced.OrgId, replaced.Id).ShouldBeTrue("the new read token reads the restored bucket");
        await op.AssertNoSecretLeakedAsync();
    }

    [Fact]
    public async Task Retention_drift_is_set_back_with_an_event()
    {
        await op.CreateStackAsync();
        await op.MakeInfluxDbReadyAsync();
        await op.WaitForInfluxAsync("True", InfluxReasons.Ready);
        var bucket = influx.State.FindBucketByName("metrics")!;

        influx.State.SetRetention(bucket.Id, 7 * 86400);
        await op.ReconcileAgainAsync();

        // The counted reconcile may be one that began before the drift (the queue then runs the key once more):
        // wait for the repair rather than assume the first reconcile to finish saw it.
        await Eventually.UntilAsync(
            () => Task.FromResult(influx.State.FindBucketByName("metrics")!.RetentionSeconds == 0),
            "the bucket's retention is set back to forever");
        (await op.WaitForInfluxAsync("True", InfluxReasons.Ready)).Status.Bucket!.Retention.ShouldBe("0s");
        // The Event is recorded after the repair, by the reconcile that made it: wait for it too.
        await Eventually.UntilAsync(
            async () => (await op.EventsAsync()).Any(e => e.Reason == InfluxReasons.BucketDrift && e.Message.Contains("1w", StringComparison.Ordinal)),
            "a BucketDrift Event naming the drifted retention");
    }

    [Fact]
    public async Task InfluxDB_down_is_unreachable_retried_with_growing_delays_and_recovers_by_itself()
    {
        await influx.StopAsync();
        await op.CreateStackAsync();
        await op.MakeInfluxDbReadyAsync();
        var down = await op.WaitForInfluxAsync("False", InfluxReasons.Unreachable);
        InfluxOperator.Condition(down, MetricsStackConditions.Ready)!.Status.ShouldBe("False");

        // Retried without any event from the API server (RequeueAfter 200 ms, 400 ms, 800 ms... capped at 2 s).
        var reconciles = op.Reconciles;
        await Eventually.UntilAsync(() => Task.FromResult(op.Reconciles >= reconciles + 3), "three retries while InfluxDB is down");
        op.Logs.Lines.ShouldContain(l => l.Contains("Unreachable", StringComparison.Ordinal));

        await influx.StartAsync();
        await op.WaitForInfluxAsync("True", InfluxReasons.Ready, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task An_influxdb_set_up_with_another_token_is_reported_and_never_set_up_again()
    {
        influx.Onboard(org: "rubin", bucket: "metrics");
        await op.CreateStackAsync();
        await op.MakeInfluxDbReadyAsync();

        var stack = await op.WaitForInfluxAsync("False", InfluxReasons.AdminTokenRejected);

        InfluxOperator.Condition(stack, MetricsStackConditions.InfluxDBReady)!.Message.ShouldContain("metrics-influxdb-admin");
        influx.Requests.Count("POST", "/api/v2/setup").ShouldBe(0);
        influx.State.Authorizations.ShouldHaveSingleItem("nothing was created");
    }
}

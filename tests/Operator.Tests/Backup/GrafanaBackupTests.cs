using System.Text.Json.Nodes;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Fakes.Grafana;


namespace MetricsOperator.Tests.Backup;

/// <summary>Grafana configuration backups against the Grafana fake, written to a real S3-compatible server (s3rver) through the operator's S3 client.</summary>
[Collection(S3rverTests.Name)]
public sealed class GrafanaBackupTests(S3rverFixture s3) : IAsyncLifetime, IDisposable
{
    private readonly ManualClock clock = new(new DateTimeOffset(2025, 6, 1, 3, 0, 0, TimeSpan.Zero));
    private readonly string prefix = $"env-{Guid.NewGuid():N}/";
    private GrafanaFake grafana = null!;
    private GrafanaConfigApi api = null!;
    private S3BackupDestination destination = null!;
    private SnapshotStore store = null!;

    public async Task InitializeAsync()
    {
        grafana = await GrafanaFake.StartNewAsync();
        api = GrafanaSeed.Api(grafana);
        await GrafanaSeed.FillAsync(api);
        destination = new S3BackupDestination(s3.Settings(prefix));
        store = new SnapshotStore(destination, SnapshotNames.Grafana);
    }

    public async Task DisposeAsync()
    {
        grafana.Contract.AssertNoContractViolations();
        await grafana.DisposeAsync();
    }

    public void Dispose()
    {
        api.Dispose();
        destination.Dispose();
    }

    [Fact]
    public async Task A_change_writes_exactly_one_snapshot_and_no_change_writes_none()
    {
        var backup = new GrafanaBackup(api, store, clock);
        var first = await backup.RunAsync(new BackupRunOptions(Keep: 5), default);
        first.Written.ShouldBeTrue();

        clock.Advance(TimeSpan.FromMinutes(5));
        grafana.Requests.Reset();
        var unchanged = await backup.RunAsync(new BackupRunOptions(Keep: 5), default);
        unchanged.Written.ShouldBeFalse();
        unchanged.Snapshot.ShouldBe(first.Snapshot);
        grafana.Requests.Writes.ShouldBe(0, "a backup only reads Grafana");

        clock.Advance(TimeSpan.FromMinutes(5));
        await GrafanaSeed.DashboardAsync(api, "latency", "Latency", "team-ops", "p99(latency)");
        var changed = await backup.RunAsync(new BackupRunOptions(Keep: 5), default);
        changed.Written.ShouldBeTrue();

        clock.Advance(TimeSpan.FromMinutes(5));
        (await backup.RunAsync(new BackupRunOptions(Keep: 5), default)).Written.ShouldBeFalse();
        (await store.ListAsync(default)).Select(s => s.Name).ShouldBe([first.Snapshot, changed.Snapshot]);
    }

    [Fact]
    public async Task A_snapshot_is_one_sorted_pretty_file_per_object_with_a_manifest_and_no_secret()
    {
        var result = await new GrafanaBackup(api, store, clock).RunAsync(new BackupRunOptions(Keep: 5, SecretRefs: new Dictionary<string, string> { ["ops-slack"] = "slack-webhook" }), default);
        var manifest = (await store.ReadManifestAsync(result.Snapshot, default))!;
        manifest.SourceVersion.ShouldBe("11.4.0");
        manifest.Files.Select(f => f.Path).Where(p => !p.StartsWith("contact-points/", StringComparison.Ordinal) || p.Contains("ops-", StringComparison.Ordinal)).ShouldBe(
        [
            "alert-rules/app-butler/butler-alerts.json",
            "contact-points/ops-slack.json",
            "contact-points/ops-webhook.json",
            "dashboards/general/home.json",
            "dashboards/team-ops/latency.json",
            "datasources/influxdb.json",
            "folders/app-butler.json",
            "folders/team-ops.json",
            "notification-policies.json",
        ]);
        (manifest.NotIncluded ?? []).ShouldBeEmpty("the fake serves mute timings and templates, as Grafana 11.4 does");

        var slack = await ReadAsync(result.Snapshot, "contact-points/ops-slack.json");
        slack.ShouldNotContain("hooks.slack.example");
        slack.ShouldNotContain(GrafanaExportLayout.Redacted);
        slack.ShouldContain("\"secretRef\": \"slack-webhook\"");
        var group = await ReadAsync(result.Snapshot, "alert-rules/app-butler/butler-alerts.json");
        group.ShouldStartWith("{\n  \"folderUid\": \"app-butler\",\n  \"interval\": 120,");
        group.ShouldNotContain("\"updated\"");
    }

    [Fact]
    public async Task Restore_into_an_empty_Grafana_reproduces_every_object_and_a_second_restore_writes_nothing()
    {
        var snapshot = (await new GrafanaBackup(api, store, clock).RunAsync(new BackupRunOptions(Keep: 5), default)).Snapshot;
        var original = await new GrafanaExporter(api).ExportAsync(null, default);

        await using var empty = await GrafanaFake.StartNewAsync();
        using var emptyApi = GrafanaSeed.Api(empty);
        var restored = await new GrafanaRestorer(emptyApi, store).RestoreAsync("latest", default);
        restored.Snapshot.ShouldBe(snapshot);
        restored.Plan.Problems.ShouldBeEmpty();
        var placeholder = restored.Plan.Secrets.ShouldHaveSingleItem();
        (placeholder.Path, placeholder.Field, placeholder.IsPlaceholder).ShouldBe(("contact-points/ops-slack.json", "url", true));

        // Every object back as it was (the Slack URL is redacted in both exports), and nothing else: the empty Grafana's own
        // default contact point (a random UID) was replaced by the snapshot's of the same name, not kept beside it.
        var after = await new GrafanaExporter(emptyApi).ExportAsync(null, default);
        after.Files.Keys.Order(StringComparer.Ordinal).ShouldBe(original.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, content) in original.Files)
        {
            CanonicalJson.Text(after.Files[path]).ShouldBe(CanonicalJson.Text(content), path);
        }

        empty.State.ContactPoints.Single(c => c["uid"]!.GetValue<string>() == "ops-slack")["settings"]!["url"]!.GetValue<string>()
            .ShouldBe("https://restore-placeholder.invalid/ops-slack/url");
        empty.State.ContactPoints.Count(c => c["name"]!.GetValue<string>() == "grafana-default-email").ShouldBe(1);

        empty.Requests.Reset();
        var again = await new GrafanaRestorer(emptyApi, store).RestoreAsync(snapshot, default);
        again.Written.ShouldBeEmpty();
        empty.Requests.Writes.ShouldBe(0);
        empty.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_plan_that_cannot_complete_is_refused_before_any_write_naming_every_problem()
    {
        // Grafana lets a datasource go while rules still query it; the snapshot then holds rules no restore can write.
        await api.SendAsync(HttpMethod.Delete, "api/datasources/uid/influxdb", null, false, default);
        await new GrafanaBackup(api, store, clock).RunAsync(new BackupRunOptions(Keep: 5), default);

        await using var empty = await GrafanaFake.StartNewAsync();
        using var emptyApi = GrafanaSeed.Api(empty);
        empty.Requests.Reset();
        var refused = await Should.ThrowAsync<MetricsOperator.Backup.Influx.RestoreRefusedException>(() => new GrafanaRestorer(emptyApi, store).RestoreAsync("latest", default));

        refused.Message.ShouldContain("nothing was written");
        refused.Message.ShouldContain("rule \"Butler is slow\" queries datasource \"influxdb\"");
        refused.Message.ShouldContain("rule \"Butler is down\" queries datasource \"influxdb\"");
        empty.Requests.Writes.ShouldBe(0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]
    public async Task A_restore_stopped_after_some_writes_says_what_was_done_and_the_next_run_finishes_it(int writesBeforeFailure)
    {
        await new GrafanaBackup(api, store, clock).RunAsync(new BackupRunOptions(Keep: 5), default);
        var original = await new GrafanaExporter(api).ExportAsync(null, default);
        await using var empty = await GrafanaFake.StartNewAsync();
        using var emptyApi = GrafanaSeed.Api(empty);

        empty.Faults.FailWriteAfter(writesBeforeFailure, status: 400);
        var stopped = await Should.ThrowAsync<RestoreIncompleteException>(() => new GrafanaRestorer(emptyApi, store).RestoreAsync("latest", default));
        stopped.Written.Count.ShouldBeLessThanOrEqualTo(writesBeforeFailure, "a step may take several requests");
        stopped.NotWritten.ShouldNotBeEmpty();
        stopped.Message.ShouldContain("Run the restore again to continue");

        var resumed = await new GrafanaRestorer(emptyApi, store).RestoreAsync("latest", default);
        resumed.Written.Count.ShouldBeLessThanOrEqualTo(stopped.NotWritten.Count, "what was done is not done again");
        var after = await new GrafanaExporter(emptyApi).ExportAsync(null, default);
        after.Files.Keys.Order(StringComparer.Ordinal).ShouldBe(original.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, content) in original.Files)
        {
            CanonicalJson.Text(after.Files[path]).ShouldBe(CanonicalJson.Text(content), path);
        }
    }

    [Fact]
    public async Task Rules_come_back_in_the_order_their_group_had()
    {
        // The seed's group holds butler-slow then butler-down; put them the other way round (not the UIDs' order).
        await api.SendAsync(HttpMethod.Put, "api/v1/provisioning/folder/app-butler/rule-groups/butler-alerts", new JsonObject
        {
            ["interval"] = 120,
            ["rules"] = new JsonArray(GrafanaSeed.Rule("butler-slow", "Butler is slow"), GrafanaSeed.Rule("butler-down", "Butler is down")),
        }, true, default, System.Net.HttpStatusCode.OK);
        await new GrafanaBackup(api, store, clock).RunAsync(new BackupRunOptions(Keep: 5), default);

        await using var empty = await GrafanaFake.StartNewAsync();
        using var emptyApi = GrafanaSeed.Api(empty);
        await new GrafanaRestorer(emptyApi, store).RestoreAsync("latest", default);

        empty.State.Group("app-butler", "butler-alerts").ShouldNotBeNull().Rules.Select(r => r["uid"]!.GetValue<string>()).ShouldBe(["butler-slow", "butler-down"]);
    }

    [Fact]
    public async Task An_environments_subtree_templates_and_mute_timings_come_back_so_that_its_operator_has_nothing_to_rewrite()
    {
        // Written by the operator's own code, as the alerting step writes them for an environment sharing this Grafana.
        var stack = new MetricsOperator.Crds.V1Alpha1MetricsStack
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "metrics", NamespaceProperty = "metrics" },
            Spec = new MetricsOperator.Crds.MetricsStackSpec
            {
                Environment = "idfdev",
                Grafana = new MetricsOperator.Crds.GrafanaSpec
                {
                    ContactPoints = [new MetricsOperator.Crds.ContactPoint { Name = "email", Type = MetricsOperator.Crds.ContactPointType.Email, SecretRef = new() { Name = "s", Key = "k" }, Title = "{{ template \"title\" . }}" }],
                    Templates = [new MetricsOperator.Crds.NotificationTemplateSpec { Name = "title", Template = "[{{ .Status }}] {{ .CommonLabels.alertname }}" }],
                    MuteTimings = [new MetricsOperator.Crds.MuteTimingSpec { Name = "nights", TimeIntervals = [new() { Times = [new() { StartTime = "22:00", EndTime = "24:00" }] }] }],
                    Routes = [new MetricsOperator.Crds.NotificationRouteSpec { Matchers = [new() { Label = "team", Value = "sqre" }], ContactPoint = "email", MuteTimings = ["nights"] }],
                },
            },
        };
        using var client = new MetricsOperator.Grafana.GrafanaClient(grafana.BaseUri, MetricsOperator.Grafana.GrafanaCredentials.Basic("admin", "admin"));
        var templates = MetricsOperator.Alerts.Routing.NotificationContent.Templates(stack);
        var timings = MetricsOperator.Alerts.Routing.NotificationContent.MuteTimings(stack);
        await new MetricsOperator.Alerts.Routing.NotificationObjectsSync(client, null).WriteAsync(templates, timings, default);
        await client.CreateContactPointAsync(MetricsOperator.Alerts.Routing.AlertRouting.ContactPoint(stack, stack.Spec.Grafana.ContactPoints[0], "sqre@example.org"), editable: false);
        var owned = MetricsOperator.Alerts.Routing.AlertRouting.StackPolicy(stack, "email", []);
        (await MetricsOperator.Alerts.Routing.PolicySync.SyncAsync(client, owned, "idfdev", default)).Holds.ShouldBeTrue();
        await new GrafanaBackup(api, store, clock).RunAsync(new BackupRunOptions(Keep: 5), default);

        await using var empty = await GrafanaFake.StartNewAsync();
        using var emptyApi = GrafanaSeed.Api(empty);
        var restored = await new GrafanaRestorer(emptyApi, store).RestoreAsync("latest", default);

        restored.Plan.Problems.ShouldBeEmpty();
        using var restoredClient = new MetricsOperator.Grafana.GrafanaClient(empty.BaseUri, MetricsOperator.Grafana.GrafanaCredentials.Basic("admin", "admin"));
        MetricsOperator.Alerts.Routing.PolicyTree.Holds(await restoredClient.GetPolicyTreeAsync(), owned, "idfdev").ShouldBeTrue("the subtree came back as the operator wrote it");
        (await new MetricsOperator.Alerts.Routing.NotificationObjectsSync(restoredClient, null).WriteAsync(templates, timings, default)).ShouldBe(0, "templates and mute timings came back equal, provenance included");
        empty.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Mute_timings_and_templates_come_back_with_the_provenance_they_had()
    {
        // Provisioned ones (provenance "api") stay provisioned; ones made as the UI makes them stay editable.
        foreach (var (name, editable) in new[] { ("maintenance", false), ("weekends", true) })
        {
            await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/mute-timings", new JsonObject
            {
                ["name"] = name, ["time_intervals"] = new JsonArray(new JsonObject { ["weekdays"] = new JsonArray("saturday") }),
            }, editable, default);
            await api.SendAsync(HttpMethod.Put, $"api/v1/provisioning/templates/{name}-summary", new JsonObject { ["template"] = $"{name}: {{{{ .Status }}}}" }, editable, default);
        }

        await new GrafanaBackup(api, store, clock).RunAsync(new BackupRunOptions(Keep: 5), default);
        var original = await new GrafanaExporter(api).ExportAsync(null, default);

        await using var empty = await GrafanaFake.StartNewAsync();
        using var emptyApi = GrafanaSeed.Api(empty);
        await new GrafanaRestorer(emptyApi, store).RestoreAsync("latest", default);

        empty.State.MuteTimings.ToDictionary(m => m.Key, m => m.Value.Provenance).ShouldBe(new Dictionary<string, string> { ["maintenance"] = "api", ["weekends"] = "" });
        empty.State.Templates.ToDictionary(t => t.Key, t => t.Value.Provenance).ShouldBe(new Dictionary<string, string> { ["maintenance-summary"] = "api", ["weekends-summary"] = "" });
        var after = await new GrafanaExporter(emptyApi).ExportAsync(null, default);
        foreach (var (path, content) in original.Files.Where(f => f.Key.StartsWith("mute-timings/", StringComparison.Ordinal) || f.Key.StartsWith("templates/", StringComparison.Ordinal)))
        {
            CanonicalJson.Text(after.Files[path]).ShouldBe(CanonicalJson.Text(content), path);
        }

        empty.Requests.Reset();
        (await new GrafanaRestorer(emptyApi, store).RestoreAsync("latest", default)).Written.ShouldBeEmpty("equal now, so nothing to write");
        empty.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Retention_deletes_the_oldest_only_and_nothing_that_is_not_ours()
    {
        var backup = new GrafanaBackup(api, store, clock);
        var names = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            await GrafanaSeed.DashboardAsync(api, "latency", "Latency", "team-ops", $"q{i}");
            names.Add((await backup.RunAsync(new BackupRunOptions(Keep: 3), default)).Snapshot);
            clock.Advance(TimeSpan.FromHours(1));
        }

        (await store.ListAsync(default)).Select(s => s.Name).ShouldBe(names[1..]);
        await destination.PutAsync("grafana/notes.txt", new MemoryStream("kept"u8.ToArray()), default);
        await destination.PutAsync("grafana/19990101T000000Z-by-hand/x.json", new MemoryStream("{}"u8.ToArray()), default);
        await GrafanaSeed.DashboardAsync(api, "latency", "Latency", "team-ops", "q-last");
        var last = await backup.RunAsync(new BackupRunOptions(Keep: 3), default);
        last.Deleted.ShouldBe([names[1]]);
        (await store.ListAsync(default)).Select(s => s.Name).ShouldBe([names[2], names[3], last.Snapshot]);
        (await destination.ListAsync("grafana/", default)).Select(o => o.Key).ShouldContain("grafana/notes.txt");
        (await destination.ListAsync("grafana/", default)).Select(o => o.Key).ShouldContain("grafana/19990101T000000Z-by-hand/x.json");
    }

    [Fact]
    public async Task A_corrupted_snapshot_is_refused_by_its_manifest_hashes_before_anything_is_written()
    {
        var snapshot = (await new GrafanaBackup(api, store, clock).RunAsync(new BackupRunOptions(Keep: 5), default)).Snapshot;
        await destination.PutAsync($"grafana/{snapshot}/dashboards/team-ops/latency.json", new MemoryStream("{\"dashboard\":{\"uid\":\"latency\",\"title\":\"evil\"}}\n"u8.ToArray()), default);

        await using var empty = await GrafanaFake.StartNewAsync();
        using var emptyApi = GrafanaSeed.Api(empty);
        empty.Requests.Reset();
        var refused = await Should.ThrowAsync<CorruptSnapshotException>(() => new GrafanaRestorer(emptyApi, store).RestoreAsync(snapshot, default));
        refused.Message.ShouldContain("dashboards/team-ops/latency.json has SHA-256");
        refused.Message.ShouldContain("refusing to restore it");
        empty.Requests.Writes.ShouldBe(0);
    }

    private async Task<string> ReadAsync(string snapshot, string path)
    {
        await using var stream = (await destination.OpenAsync($"grafana/{snapshot}/{path}", default))!;
        return await new StreamReader(stream).ReadToEndAsync();
    }
}

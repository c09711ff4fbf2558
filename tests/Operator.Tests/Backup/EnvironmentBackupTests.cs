using System.Net;
using System.Text.Json.Nodes;
using MetricsOperator.Alerts;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Tests.Integration;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Backup;

/// <summary>
/// Grafana backups of an environment in a Grafana several environments share (docs/backup.md, "An environment's
/// backup"). Two whole operators, one namespace each (standing in for two clusters), each with an external-mode stack
/// (its contact points, a route, its InfluxDB datasources) and the same gafaelfawr AppAlert, write everything into one
/// Grafana fake; the backup the scheduler would run for idfdev (its options from <see cref="BackupRun.OptionsOf"/>)
/// holds idfdev's objects and nothing of idfprod's, and restoring it after idfdev's objects were deleted by hand
/// brings them back while idfprod's objects and the rest of the policy tree stay exactly as they were.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class EnvironmentBackupTests(ApiServerFixture fixture) : IAsyncLifetime
{
    private const string Credentials = "grafana-credentials";
    private const string ContactPointSecret = "contact-points";
    private const string App = "gafaelfawr";
    private readonly string folder = Path.Combine(Path.GetTempPath(), "env-backup-" + Guid.NewGuid().ToString("N"));
    private GrafanaFake grafana = null!;
    private OperatorWithFakes dev = null!;
    private OperatorWithFakes prod = null!;
    private bool devStopped;

    public async Task InitializeAsync()
    {
        grafana = await GrafanaFake.StartNewAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        dev = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, clock, grafana);
        prod = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, clock, grafana);
    }

    public async Task DisposeAsync()
    {
        if (!devStopped)
        {
            await dev.DisposeAsync();
        }

        await prod.DisposeAsync();
        await grafana.DisposeAsync();
        grafana.Contract.AssertNoContractViolations();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_environments_backup_holds_only_its_objects_and_its_restore_leaves_the_other_environment_untouched()
    {
        await Task.WhenAll(SetUpAsync(dev, "idfdev", "sqre"), SetUpAsync(prod, "idfprod", "ops"));
        using var api = OperatorWithFakes.GrafanaApi(grafana);
        foreach (var (op, environment) in new[] { (dev, "idfdev"), (prod, "idfprod") })
        {
            // Both synced the same AppAlert into their own folder and group, reading their own datasource, which exists.
            var group = grafana.State.Group(AlertNames.FolderUid(App, environment), AlertNames.RuleGroup(op.Namespace, App, environment)).ShouldNotBeNull();
            var datasource = AlertNames.DatasourceUid("influxdb-influxql", environment);
            group.Rules.ShouldAllBe(r => r["data"]![0]!["datasourceUid"]!.GetValue<string>() == datasource);
            (await api.GetAsync($"api/datasources/uid/{datasource}", CancellationToken.None)).Ok.ShouldBeTrue();
        }

        var devStack = (await dev.GetStackAsync())!;
        var options = BackupRun.OptionsOf(devStack, new GrafanaBackupSpec { Keep = 3 });
        options.Environment.ShouldBe("idfdev", "an external-mode stack's backup is limited to its environment");

        var store = new SnapshotStore(new DirectoryBackupDestination(folder), SnapshotNames.Grafana);
        var run = await new GrafanaBackup(api, store).RunAsync(options, CancellationToken.None);
        var (_, files, manifest) = await new GrafanaRestorer(api, store).ReadAsync(run.Snapshot, CancellationToken.None);

        manifest.Environment.ShouldBe("idfdev");
        files.Keys.ShouldContain("folders/app-idfdev_gafaelfawr.json");
        files.Keys.ShouldContain("alert-rules/app-idfdev_gafaelfawr/idfdev_" + dev.Namespace + "_gafaelfawr.json");
        files.Keys.ShouldContain("datasources/influxdb-influxql-idfdev.json");
        files.Where(f => f.Key.StartsWith(GrafanaExportLayout.ContactPoints, StringComparison.Ordinal)).Select(f => f.Value["name"]!.GetValue<string>())
            .Order(StringComparer.Ordinal).ShouldBe(["idfdev_email", "idfdev_slack"]);
        files[GrafanaExportLayout.Policies]["object_matchers"]!.ToJsonString().ShouldBe("[[\"environment\",\"=\",\"idfdev\"]]", "the policy file is idfdev's subtree only");
        foreach (var (path, content) in files)
        {
            (path + CanonicalJson.Text(content)).ShouldNotContain("idfprod", Case.Sensitive, $"{path} is idfdev's");
        }

        // idfdev's cluster is gone (its operator stopped), and someone cleans its objects out of the central Grafana.
        await dev.DisposeAsync();
        devStopped = true;
        var prodBefore = await ExportAsync(api, "idfprod");
        var treeBefore = grafana.State.PolicyTree.DeepClone().AsObject();
        await WipeAsync(api, "idfdev", files);
        (await ExportAsync(api, "idfdev")).Keys.ShouldBeEmpty("idfdev's objects were deleted");

        var restored = await new GrafanaRestorer(api, store).RestoreAsync("latest", CancellationToken.None);
        restored.Written.ShouldNotBeEmpty();
        restored.Written.ShouldNotContain(s => s.Action == RestoreAction.RemoveDuplicate);

        var devAfter = await ExportAsync(api, "idfdev");
        GrafanaRestorePlan.Build(files, devAfter).Steps.ShouldBeEmpty("idfdev's objects are back as the snapshot holds them");
        devAfter.Keys.Order(StringComparer.Ordinal).ShouldBe(files.Keys.Order(StringComparer.Ordinal));
        var prodAfter = await ExportAsync(api, "idfprod");
        prodAfter.Keys.ShouldBe(prodBefore.Keys);
        foreach (var (path, content) in prodBefore)
        {
            CanonicalJson.Text(prodAfter[path]).ShouldBe(CanonicalJson.Text(content), $"idfprod's {path} is untouched");
        }

        var tree = grafana.State.PolicyTree;
        ((string?)tree["receiver"]).ShouldBe((string?)treeBefore["receiver"], "the root belongs to no environment and keeps its receiver");
        (tree["routes"] as JsonArray ?? []).Count.ShouldBe((treeBefore["routes"] as JsonArray ?? []).Count, "idfdev's subtree replaced, not duplicated");

        var writes = grafana.Requests.Writes;
        (await new GrafanaRestorer(api, store).RestoreAsync("latest", CancellationToken.None)).Written.ShouldBeEmpty();
        grafana.Requests.Writes.ShouldBe(writes, "a second restore writes nothing");
    }

    private static async Task<Dictionary<string, JsonNode>> ExportAsync(GrafanaConfigApi api, string environment) =>
        (await new GrafanaExporter(api).ExportAsync(null, CancellationToken.None, environment)).Files.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);

    // As a person would through Grafana's API: the subtree out of the tree first (Grafana refuses to delete a contact
    // point a route names), then the folder with its rules, the datasources and the contact points.
    private static async Task WipeAsync(GrafanaConfigApi api, string environment, IReadOnlyDictionary<string, JsonNode> files)
    {
        var tree = (JsonObject)(await api.GetAsync("api/v1/provisioning/policies", CancellationToken.None)).Body!;
        var routes = new JsonArray([.. (tree["routes"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(r => r["object_matchers"]?.ToJsonString() != $"[[\"environment\",\"=\",\"{environment}\"]]").Select(r => r.DeepClone())]);
        tree["routes"] = routes;
        tree.Remove("provenance");
        await api.SendAsync(HttpMethod.Put, "api/v1/provisioning/policies", tree, provenanceOff: false, CancellationToken.None);
        foreach (var (path, content) in files)
        {
            var uid = Uri.EscapeDataString(content["uid"]?.GetValue<string>() ?? "");
            if (path.StartsWith(GrafanaExportLayout.Folders, StringComparison.Ordinal))
            {
                await api.SendAsync(HttpMethod.Delete, $"api/folders/{uid}?forceDeleteRules=true", null, false, CancellationToken.None);
            }
            else if (path.StartsWith(GrafanaExportLayout.Datasources, StringComparison.Ordinal))
            {
                await api.SendAsync(HttpMethod.Delete, $"api/datasources/uid/{uid}", null, false, CancellationToken.None);
            }
            else if (path.StartsWith(GrafanaExportLayout.ContactPoints, StringComparison.Ordinal))
            {
                await api.SendAsync(HttpMethod.Delete, $"api/v1/provisioning/contact-points/{uid}", null, false, CancellationToken.None, HttpStatusCode.NotFound);
            }
        }
    }

    private static async Task SetUpAsync(OperatorWithFakes op, string environment, string team)
    {
        await op.CreateSecretAsync(Credentials, new() { ["token"] = op.Grafana.AddServiceAccountToken() });
        await op.CreateSecretAsync(ContactPointSecret, new() { ["slack"] = $"https://hooks.slack.com/services/T/B/{environment}", ["email"] = $"{team}@example.org" });
        await op.CreateStackWithSpecAsync(new
        {
            environment,
            grafana = new
            {
                mode = "external",
                url = op.Grafana.BaseUri.AbsoluteUri,
                credentialsSecret = new { name = Credentials },
                contactPoints = new[] { ContactPoint("slack"), ContactPoint("email") },
                routes = new[] { new { matchers = new[] { new { label = "team", @operator = "=", value = team } }, contactPoint = "email" } },
            },
        });
        await Eventually.UntilAsync(op.GetStackAsync,
            s => OperatorWithFakes.Condition(s, MetricsStackConditions.AlertingReady) is { Status: ConditionSet.True, Reason: "Synced" }
                && OperatorWithFakes.Condition(s, MetricsStackConditions.GrafanaReady) is { Status: ConditionSet.True },
            $"{environment}: AlertingReady=True Synced and GrafanaReady=True");

        var alert = Alert(op.Namespace, App, Rule("Login failures"), Rule("Slow logins"));
        alert.Spec.App = App;
        alert.Spec.StackRef = new StackReference { Name = OperatorWithFakes.Name };
        await op.Admin.CreateAsync(ForApiServer(alert));
        await Eventually.UntilAsync(() => op.Admin.GetAsync<V1Alpha1AppAlert>(op.Namespace, App),
            a => a.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == ConditionSet.True) == true, $"{environment}'s AppAlert synced");
    }

    private static object ContactPoint(string type) => new { name = type, type, secretRef = new { name = ContactPointSecret, key = type } };
}

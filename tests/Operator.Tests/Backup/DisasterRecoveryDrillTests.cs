using System.Net;
using System.Text.Json.Nodes;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Cli;
using MetricsOperator.Fakes.Grafana;

namespace MetricsOperator.Tests.Backup;

/// <summary>
/// Issue 25's drill: a Grafana configured the way people configure it, through Grafana's own API (three folders, one
/// nested; two rule groups of four rules, one paused, one with notification settings; a Slack contact point whose URL
/// is a secret and an email one; a three-level policy tree with mute timings; a template; a datasource with a secret
/// token), backed up with the <c>backup</c> command, lost, and restored into a new Grafana with the <c>restore</c>
/// command and <c>--secret-file</c> for both secrets, as docs/backup.md's walkthrough says. The restored Grafana is
/// compared with the original object by object (both exported, every file) and secret by secret (the fake's stored
/// values, which the exports redact); a second restore writes nothing.
/// </summary>
[Collection(S3rverTests.Name)]
public sealed class DisasterRecoveryDrillTests(S3rverFixture s3)
{
    private const string SlackUrl = "https://hooks.slack.example/T0001/B0001/drill";
    private const string InfluxToken = "drill-influx-token-0123456789";

    [Fact]
    public async Task A_Grafana_made_through_its_API_comes_back_object_by_object_and_secret_by_secret()
    {
        var prefix = $"drill-{Guid.NewGuid():N}/";
        var settings = s3.Settings(prefix);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", settings.AccessKeyId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", settings.SecretAccessKey);
        Environment.SetEnvironmentVariable("GRAFANA_USER", "admin");
        Environment.SetEnvironmentVariable("GRAFANA_PASSWORD", "admin");
        string[] s3Args = ["--s3-bucket", settings.Bucket, "--s3-prefix", prefix, "--s3-endpoint", settings.Endpoint!.AbsoluteUri];

        // Before the disaster: a configured Grafana, and the operator's backup of it.
        await using var original = await GrafanaFake.StartNewAsync();
        using var originalApi = GrafanaSeed.Api(original);
        await ConfigureAsync(originalApi);
        var backup = await RunAsync(["backup", "grafana", "--grafana-url", original.BaseUri.AbsoluteUri, "--keep", "7", .. s3Args]);
        backup.Code.ShouldBe(0, backup.Error);
        var before = await new GrafanaExporter(originalApi).ExportAsync(null, default);
        before.NotIncluded.ShouldBeEmpty();
        before.Files.Keys.Count(k => k.StartsWith(GrafanaExportLayout.MuteTimings, StringComparison.Ordinal)).ShouldBe(2);
        before.Files.Keys.Count(k => k.StartsWith(GrafanaExportLayout.Templates, StringComparison.Ordinal)).ShouldBe(1);

        // The disaster: Grafana's database is gone; the operator brings up a new, empty Grafana.
        await using var restored = await GrafanaFake.StartNewAsync();
        var slackFile = Path.Combine(Path.GetTempPath(), $"drill-slack-{Guid.NewGuid():N}");
        var tokenFile = Path.Combine(Path.GetTempPath(), $"drill-token-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(slackFile, SlackUrl + "\n");
        await File.WriteAllTextAsync(tokenFile, InfluxToken + "\n");
        string[] restore = ["restore", "grafana", "--from", "latest", "--grafana-url", restored.BaseUri.AbsoluteUri, .. s3Args];
        try
        {
            var dry = await RunAsync([.. restore, "--dry-run", "--secret-file", $"ops-slack/url={slackFile}", "--secret-file", $"influxdb/token={tokenFile}"]);
            dry.Code.ShouldBe(0, dry.Error);
            dry.Output.ShouldContain("create  mute-timings/maintenance.json");
            dry.Output.ShouldContain("create  templates/ops-summary.json");
            dry.Output.ShouldNotContain("PLACEHOLDER");
            restored.Requests.Writes.ShouldBe(0);

            var run = await RunAsync([.. restore, "--secret-file", $"ops-slack/url={slackFile}", "--secret-file", $"influxdb/token={tokenFile}"]);
            run.Code.ShouldBe(0, run.Output + run.Error);
            run.Error.ShouldNotContain("WARNING");
            run.Output.ShouldNotContain(SlackUrl);
            run.Output.ShouldNotContain(InfluxToken);
        }
        finally
        {
            File.Delete(slackFile);
            File.Delete(tokenFile);
        }

        // Object by object: both Grafanas exported the same way, every file equal, none missing, none extra.
        using var restoredApi = GrafanaSeed.Api(restored);
        var after = await new GrafanaExporter(restoredApi).ExportAsync(null, default);
        after.Files.Keys.Order(StringComparer.Ordinal).ShouldBe(before.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, content) in before.Files)
        {
            CanonicalJson.Text(after.Files[path]).ShouldBe(CanonicalJson.Text(content), path);
        }

        // Secret by secret, where the exports show "[REDACTED]" or only a field name: the fakes' stored values.
        SlackUrlOf(restored).ShouldBe(SlackUrlOf(original));
        SlackUrlOf(restored).ShouldBe(SlackUrl);
        restored.State.Datasources.Single(d => d.Uid == "influxdb").SecureJsonData
            .ShouldBe(original.State.Datasources.Single(d => d.Uid == "influxdb").SecureJsonData);
        restored.State.MuteTimings.ToDictionary(m => m.Key, m => (CanonicalJson.Text(m.Value.Timing), m.Value.Provenance))
            .ShouldBe(original.State.MuteTimings.ToDictionary(m => m.Key, m => (CanonicalJson.Text(m.Value.Timing), m.Value.Provenance)));
        restored.State.Templates.ShouldBe(original.State.Templates);
        restored.State.Group("apps-butler", "butler-alerts")!.Rules.Select(r => r["uid"]!.GetValue<string>()).ShouldBe(["butler-slow", "butler-down"]);

        // The walkthrough's last step: running the restore again writes nothing.
        restored.Requests.Reset();
        var again = await RunAsync(restore);
        again.Code.ShouldBe(0, again.Output + again.Error);
        restored.Requests.Writes.ShouldBe(0, again.Output);
        original.Contract.AssertNoContractViolations();
        restored.Contract.AssertNoContractViolations();
    }

    private static string SlackUrlOf(GrafanaFake grafana) =>
        grafana.State.ContactPoints.Single(c => c["uid"]!.GetValue<string>() == "ops-slack")["settings"]!["url"]!.GetValue<string>();

    /// <summary>
    /// The configuration, made as people make it: contact points, the tree, a mute timing and the template as the UI
    /// saves them (editable: <c>X-Disable-Provenance</c>), another mute timing and one rule group through provisioning
    /// (provenance "api"), as a script or Terraform would.
    /// </summary>
    private static async Task ConfigureAsync(GrafanaConfigApi api)
    {
        var ct = CancellationToken.None;
        await api.SendAsync(HttpMethod.Post, "api/folders", new JsonObject { ["uid"] = "platform", ["title"] = "Platform" }, false, ct);
        await api.SendAsync(HttpMethod.Post, "api/folders", new JsonObject { ["uid"] = "apps", ["title"] = "Applications" }, false, ct);
        await api.SendAsync(HttpMethod.Post, "api/folders", new JsonObject { ["uid"] = "apps-butler", ["title"] = "Butler", ["parentUid"] = "apps" }, false, ct);
        await api.SendAsync(HttpMethod.Post, "api/datasources", new JsonObject
        {
            ["uid"] = "influxdb", ["name"] = "InfluxDB", ["type"] = "influxdb", ["access"] = "proxy", ["url"] = "http://metrics-influxdb:8086",
            ["jsonData"] = new JsonObject { ["version"] = "Flux", ["organization"] = "rubin", ["defaultBucket"] = "metrics" },
            ["secureJsonData"] = new JsonObject { ["token"] = InfluxToken },
        }, false, ct);
        await GrafanaSeed.DashboardAsync(api, "butler-latency", "Butler latency", "apps-butler", "mean(latency)");
        await GrafanaSeed.DashboardAsync(api, "platform-home", "Platform", "platform", "count(requests)");

        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/contact-points", new JsonObject
        {
            ["uid"] = "ops-slack", ["name"] = "ops-slack", ["type"] = "slack",
            ["settings"] = new JsonObject { ["url"] = SlackUrl, ["recipient"] = "#ops-alerts", ["title"] = "{{ template \"ops-summary\" . }}" },
        }, true, ct);
        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/contact-points", new JsonObject
        {
            ["uid"] = "ops-email", ["name"] = "ops-email", ["type"] = "email", ["settings"] = new JsonObject { ["addresses"] = "ops@example.org;oncall@example.org" },
        }, true, ct);
        await api.SendAsync(HttpMethod.Put, "api/v1/provisioning/templates/ops-summary", new JsonObject
        {
            ["template"] = "{{ len .Alerts.Firing }} firing: {{ .CommonLabels.alertname }}",
        }, true, ct);
        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/mute-timings", new JsonObject
        {
            ["name"] = "weekends",
            ["time_intervals"] = new JsonArray(new JsonObject { ["weekdays"] = new JsonArray("saturday", "sunday"), ["location"] = "America/Santiago" }),
        }, true, ct);
        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/mute-timings", new JsonObject
        {
            ["name"] = "maintenance",
            ["time_intervals"] = new JsonArray(new JsonObject
            {
                ["weekdays"] = new JsonArray("tuesday"),
                ["times"] = new JsonArray(new JsonObject { ["start_time"] = "14:00", ["end_time"] = "16:00" }),
            }),
        }, false, ct);
        await api.SendAsync(HttpMethod.Put, "api/v1/provisioning/policies", new JsonObject
        {
            ["receiver"] = "ops-email",
            ["group_by"] = new JsonArray("grafana_folder", "alertname"),
            ["routes"] = new JsonArray(new JsonObject
            {
                ["receiver"] = "ops-slack",
                ["object_matchers"] = new JsonArray(new JsonArray("team", "=", "ops")),
                ["mute_time_intervals"] = new JsonArray("weekends"),
                ["routes"] = new JsonArray(new JsonObject
                {
                    ["receiver"] = "ops-email",
                    ["object_matchers"] = new JsonArray(new JsonArray("severity", "=", "critical")),
                    ["mute_time_intervals"] = new JsonArray("maintenance"),
                    ["continue"] = true,
                }),
            }),
        }, true, ct);

        // Group one, through provisioning (provenance "api"); rule one notifies Slack directly, muted in maintenance.
        var slow = Rule("butler-slow", "Butler is slow", "apps-butler", "butler-alerts");
        slow["notification_settings"] = new JsonObject
        {
            ["receiver"] = "ops-slack",
            ["group_by"] = new JsonArray("alertname", "grafana_folder", "app"),
            ["mute_time_intervals"] = new JsonArray("maintenance"),
        };
        var down = Rule("butler-down", "Butler is down", "apps-butler", "butler-alerts");
        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/alert-rules", slow, false, ct);
        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/alert-rules", down, false, ct);
        await api.SendAsync(HttpMethod.Put, "api/v1/provisioning/folder/apps-butler/rule-groups/butler-alerts",
            new JsonObject { ["interval"] = 120, ["rules"] = new JsonArray(slow.DeepClone(), down.DeepClone()) }, false, ct, HttpStatusCode.OK);

        // Group two, editable (as the UI saves), one rule paused.
        var disk = Rule("disk-full", "Disk almost full", "platform", "platform-alerts");
        disk["isPaused"] = true;
        var silent = Rule("telegraf-silent", "Telegraf silent", "platform", "platform-alerts");
        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/alert-rules", disk, true, ct);
        await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/alert-rules", silent, true, ct);
        await api.SendAsync(HttpMethod.Put, "api/v1/provisioning/folder/platform/rule-groups/platform-alerts",
            new JsonObject { ["interval"] = 300, ["rules"] = new JsonArray(disk.DeepClone(), silent.DeepClone()) }, true, ct, HttpStatusCode.OK);
    }

    private static JsonObject Rule(string uid, string title, string folderUid, string group)
    {
        var rule = GrafanaSeed.Rule(uid, title);
        rule["folderUID"] = folderUid;
        rule["ruleGroup"] = group;
        rule["annotations"] = new JsonObject { ["summary"] = title };
        return rule;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLine.Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}

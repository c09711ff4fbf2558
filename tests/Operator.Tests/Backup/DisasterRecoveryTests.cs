using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Cli;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.Influx;

namespace MetricsOperator.Tests.Backup;

/// <summary>
/// docs/backup.md's disaster-recovery walkthrough, step by step: both backups exist in S3; Grafana and the InfluxDB
/// volume are lost; a new (empty) Grafana and a freshly set-up InfluxDB come up; the two <c>restore</c> commands bring
/// both back. The commands run through the operator's command line, with secrets in the environment.
/// </summary>
[Collection(S3rverTests.Name)]
public sealed class DisasterRecoveryTests(S3rverFixture s3)
{
    [Fact]
    public async Task Lose_Grafana_and_the_InfluxDB_volume_and_get_both_back_with_the_restore_commands()
    {
        var prefix = $"idfdev-{Guid.NewGuid():N}/";
        var settings = s3.Settings(prefix);

        // Before the disaster: the operator's backups ran (one Grafana snapshot, one InfluxDB snapshot).
        await using var oldGrafana = await GrafanaFake.StartNewAsync();
        using var oldGrafanaApi = GrafanaSeed.Api(oldGrafana);
        await GrafanaSeed.FillAsync(oldGrafanaApi);
        await using var oldInflux = await InfluxFake.StartNewAsync();
        var oldOnboarding = oldInflux.Onboard();
        await WriteAsync(oldInflux, oldOnboarding.Token, "requests,app=butler latency=12.5 1700000000000000000\n");
        using (var destination = new S3BackupDestination(settings))
        {
            await new GrafanaBackup(oldGrafanaApi, new SnapshotStore(destination, SnapshotNames.Grafana)).RunAsync(new BackupRunOptions(Keep: 7), default);
            using var influxApi = new InfluxBackupApi(oldInflux.BaseUri, new InfluxSecret(oldOnboarding.Token));
            await new InfluxBackup(influxApi, new SnapshotStore(destination, SnapshotNames.InfluxDb)).RunAsync(new BackupRunOptions(Keep: 7), default);
        }

        var before = await new GrafanaExporter(oldGrafanaApi).ExportAsync(null, default);

        // The disaster: both gone. The operator brings up a new Grafana and sets a new InfluxDB up (empty bucket).
        await using var grafana = await GrafanaFake.StartNewAsync();
        await using var influx = await InfluxFake.StartNewAsync();
        var onboarding = influx.Onboard();

        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", settings.AccessKeyId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", settings.SecretAccessKey);
        Environment.SetEnvironmentVariable("GRAFANA_USER", "admin");
        Environment.SetEnvironmentVariable("GRAFANA_PASSWORD", "admin");
        Environment.SetEnvironmentVariable("INFLUX_TOKEN", onboarding.Token);
        string[] s3Args = ["--s3-bucket", settings.Bucket, "--s3-prefix", prefix, "--s3-endpoint", settings.Endpoint!.AbsoluteUri];

        (await CommandLine.RunAsync(["restore", "grafana", "--from", "latest", "--grafana-url", grafana.BaseUri.AbsoluteUri, .. s3Args])).ShouldBe(0);
        (await CommandLine.RunAsync(["restore", "influxdb", "--from", "latest", "--influxdb-url", influx.BaseUri.AbsoluteUri, .. s3Args])).ShouldBe(0);

        using var grafanaApi = GrafanaSeed.Api(grafana);
        var after = await new GrafanaExporter(grafanaApi).ExportAsync(null, default);
        foreach (var (path, content) in before.Files.Where(f => f.Key != "contact-points/ops-slack.json"))
        {
            CanonicalJson.Text(after.Files[path]).ShouldBe(CanonicalJson.Text(content), path);
        }

        using (var api = new InfluxBackupApi(influx.BaseUri, new InfluxSecret(onboarding.Token)))
        {
            var bucket = (await api.BucketsNamedAsync("metrics", default)).ShouldHaveSingleItem();
            influx.State.Points(bucket["id"]!.GetValue<string>()).Count.ShouldBe(1);
        }

        // Running the InfluxDB restore again is refused (the bucket has data now), and Grafana's writes nothing.
        (await CommandLine.RunAsync(["restore", "influxdb", "--from", "latest", "--influxdb-url", influx.BaseUri.AbsoluteUri, .. s3Args])).ShouldBe(2);
        grafana.Requests.Reset();
        (await CommandLine.RunAsync(["restore", "grafana", "--from", "latest", "--grafana-url", grafana.BaseUri.AbsoluteUri, .. s3Args])).ShouldBe(0);
        grafana.Requests.Writes.ShouldBe(0);
    }

    [Fact]
    public async Task A_policy_routing_to_a_Slack_contact_point_restores_whole_planned_first_with_the_secret_from_a_file()
    {
        var prefix = $"idfdev-{Guid.NewGuid():N}/";
        var settings = s3.Settings(prefix);
        await using var oldGrafana = await GrafanaFake.StartNewAsync();
        using var oldApi = GrafanaSeed.Api(oldGrafana);
        await GrafanaSeed.FillAsync(oldApi);
        // The tree routes to the Slack contact point whose URL no snapshot holds.
        await oldApi.SendAsync(HttpMethod.Put, "api/v1/provisioning/policies", new System.Text.Json.Nodes.JsonObject
        {
            ["receiver"] = "ops-webhook",
            ["routes"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["receiver"] = "ops-slack", ["object_matchers"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonArray("app", "=", "butler")) }),
        }, true, default);
        using (var destination = new S3BackupDestination(settings))
        {
            await new GrafanaBackup(oldApi, new SnapshotStore(destination, SnapshotNames.Grafana)).RunAsync(new BackupRunOptions(Keep: 7), default);
        }

        var before = await new GrafanaExporter(oldApi).ExportAsync(null, default);
        await using var grafana = await GrafanaFake.StartNewAsync();
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", settings.AccessKeyId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", settings.SecretAccessKey);
        Environment.SetEnvironmentVariable("GRAFANA_USER", "admin");
        Environment.SetEnvironmentVariable("GRAFANA_PASSWORD", "admin");
        string[] restore = ["restore", "grafana", "--from", "latest", "--grafana-url", grafana.BaseUri.AbsoluteUri, "--s3-bucket", settings.Bucket, "--s3-prefix", prefix, "--s3-endpoint", settings.Endpoint!.AbsoluteUri];

        // A dry run prints the plan, the placeholder it would write, and writes nothing.
        var (dryCode, dryOut, _) = await RunAsync([.. restore, "--dry-run"]);
        dryCode.ShouldBe(0);
        dryOut.ShouldContain("replace notification-policies.json", Case.Sensitive, "a fresh Grafana has its default tree");
        dryOut.ShouldContain("PLACEHOLDER contact-points/ops-slack.json url");
        dryOut.ShouldContain("remove  contact point");
        dryOut.ShouldContain("Dry run: nothing was written.");
        grafana.Requests.Writes.ShouldBe(0);

        // With the URL from a file (as a mounted Secret gives it): everything back, the URL included, the tree whole.
        var slackUrl = Path.Combine(Path.GetTempPath(), $"slack-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(slackUrl, "https://hooks.slack.example/T000/B000/XXXX\n");
        try
        {
            var (code, output, error) = await RunAsync([.. restore, "--secret-file", $"ops-slack/url={slackUrl}"]);
            code.ShouldBe(0, error);
            output.ShouldContain($"secret contact-points/ops-slack.json url: from file {slackUrl}");
            output.ShouldNotContain("hooks.slack.example", Case.Sensitive, "a secret value is never printed");
            error.ShouldNotContain("WARNING");
        }
        finally
        {
            File.Delete(slackUrl);
        }

        grafana.State.ContactPoints.Single(c => c["uid"]!.GetValue<string>() == "ops-slack")["settings"]!["url"]!.GetValue<string>().ShouldBe("https://hooks.slack.example/T000/B000/XXXX");
        grafana.State.PolicyTree["routes"]![0]!["receiver"]!.GetValue<string>().ShouldBe("ops-slack");
        using var grafanaApi = GrafanaSeed.Api(grafana);
        var after = await new GrafanaExporter(grafanaApi).ExportAsync(null, default);
        after.Files.Keys.Order(StringComparer.Ordinal).ShouldBe(before.Files.Keys.Order(StringComparer.Ordinal), "no duplicate default contact point, nothing missing");
        foreach (var (path, content) in before.Files)
        {
            CanonicalJson.Text(after.Files[path]).ShouldBe(CanonicalJson.Text(content), path);
        }

        grafana.Contract.AssertNoContractViolations();
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLine.Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private static Task WriteAsync(InfluxFake influx, string token, string lines) => InfluxWrites.WriteAsync(influx, token, lines);
}

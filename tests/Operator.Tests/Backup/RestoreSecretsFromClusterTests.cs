using System.Text.Json.Nodes;
using MetricsOperator.Cli;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Integration;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Backup;

/// <summary>
/// <c>restore grafana --secrets-namespace</c> on the API server: a contact point's secret comes back from the Secret and
/// key the backup recorded (the user's), and the stack's InfluxDB datasource from the read token the operator made
/// (the operator runs with the fakes and makes it; the test makes only the user's Secret).
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class RestoreSecretsFromClusterTests(ApiServerFixture fixture)
{
    [Fact]
    public async Task Secrets_left_out_of_a_snapshot_come_back_from_the_Secrets_it_records()
    {
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));
        await op.CreateStackWithSpecAsync(new { });
        var readToken = await Eventually.UntilAsync(() => op.SecretValueAsync("metrics-grafana-token", StackNames.TokenKey), t => t.Length > 0, "the operator made Grafana's read token");
        await op.CreateSecretAsync("slack-webhook", new() { ["url"] = "https://hooks.slack.example/T1/B1/FROMSECRET" });

        // The Grafana that was lost: a Slack contact point and the stack's Flux datasource, each with a secret.
        await using var lost = await GrafanaFake.StartNewAsync();
        using (var api = GrafanaSeed.Api(lost))
        {
            await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/contact-points", new JsonObject
            {
                ["uid"] = "ops-slack", ["name"] = "ops-slack", ["type"] = "slack", ["settings"] = new JsonObject { ["url"] = "https://hooks.slack.example/T1/B1/OLD" },
            }, true, default);
            await api.SendAsync(HttpMethod.Post, "api/datasources", new JsonObject
            {
                ["uid"] = GrafanaDatasources.FluxUid, ["name"] = "InfluxDB (Flux)", ["type"] = "influxdb", ["access"] = "proxy", ["url"] = "http://metrics-influxdb:8086",
                ["jsonData"] = new JsonObject { ["version"] = "Flux", ["organization"] = "rubin", ["defaultBucket"] = "metrics" },
                ["secureJsonData"] = new JsonObject { ["token"] = "old-token" },
            }, false, default);
        }

        var folder = Path.Combine(Path.GetTempPath(), $"grafana-backups-{Guid.NewGuid():N}");
        var kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG");
        Environment.SetEnvironmentVariable("GRAFANA_USER", "admin");
        Environment.SetEnvironmentVariable("GRAFANA_PASSWORD", "admin");
        try
        {
            (await CommandLine.RunAsync(["backup", "grafana", "--dir", folder, "--grafana-url", lost.BaseUri.AbsoluteUri, "--stack", $"{op.Namespace}/metrics",
                "--contact-point-secret", "ops-slack=slack-webhook/url"])).ShouldBe(0);

            await using var fresh = await GrafanaFake.StartNewAsync();
            Environment.SetEnvironmentVariable("KUBECONFIG", fixture.Plane.AdminKubeconfigPath);
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await CommandLine.Parse(["restore", "grafana", "--from", "latest", "--dir", folder, "--grafana-url", fresh.BaseUri.AbsoluteUri, "--secrets-namespace", op.Namespace])
                .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });

            code.ShouldBe(0, $"{output}\n{error}");
            output.ToString().ShouldContain($"secret contact-points/ops-slack.json url: from Secret {op.Namespace}/slack-webhook/url");
            output.ToString().ShouldContain($"secret datasources/{GrafanaDatasources.FluxUid}.json token: from Secret {op.Namespace}/metrics-grafana-token/token");
            output.ToString().ShouldNotContain("PLACEHOLDER");
            output.ToString().ShouldNotContain(readToken, Case.Sensitive, "a secret value is never printed");
            fresh.State.ContactPoints.Single(c => c["uid"]!.GetValue<string>() == "ops-slack")["settings"]!["url"]!.GetValue<string>().ShouldBe("https://hooks.slack.example/T1/B1/FROMSECRET");
            fresh.State.Datasources.Single(d => d.Uid == GrafanaDatasources.FluxUid).SecureJsonData["token"].ShouldBe(readToken);
        }
        finally
        {
            Environment.SetEnvironmentVariable("KUBECONFIG", kubeconfig);
            Directory.Delete(folder, recursive: true);
        }
    }
}

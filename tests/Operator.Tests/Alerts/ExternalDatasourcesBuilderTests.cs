using System.Text.Json.Nodes;
using k8s.Models;
using MetricsOperator.Alerts.External;
using MetricsOperator.Crds;
using MetricsOperator.Grafana;
using StackSamples = MetricsOperator.Tests.Stacks.Stacks;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Alerts;

/// <summary>The datasources an environment keeps in an external Grafana (pure).</summary>
public sealed class ExternalDatasourcesBuilderTests
{
    private static V1Alpha1MetricsStack External(Action<MetricsStackSpec>? edit = null) => StackSamples.MinimalSampleWith(s =>
    {
        s.Environment = "idfdev";
        s.Grafana!.Mode = GrafanaMode.External;
        s.Grafana.Url = "https://grafana.example.org";
        s.Grafana.CredentialsSecret = new SecretReference { Name = "grafana-credentials" };
        edit?.Invoke(s);
    });

    [Fact]
    public void Both_flavours_carry_the_environment_and_point_at_the_external_url_or_else_the_service()
    {
        var desired = ExternalDatasources.Desired(DefaultedStack.Of(External(s => s.InfluxDb!.ExternalUrl = "https://data.example.org/influxdb")), "t0ken");

        desired.Select(d => (d.Uid, d.Name, d.Url)).ShouldBe(
        [
            ("influxdb-influxql-idfdev", "InfluxDB (InfluxQL) idfdev", "https://data.example.org/influxdb"),
            ("influxdb-flux-idfdev", "InfluxDB (Flux) idfdev", "https://data.example.org/influxdb"),
        ]);
        ExternalDatasources.Desired(DefaultedStack.Of(External()), "t0ken")[0].Url.ShouldStartWith("http://", Case.Sensitive);
        ExternalDatasources.Desired(DefaultedStack.Of(External()), "t0ken")[0].Url.ShouldEndWith(".svc:8086");
    }

    [Fact]
    public void A_flavour_turned_off_is_unwanted_and_nothing_is_without_an_environment()
    {
        var influxQlOnly = External(s => s.Grafana!.Datasources = new GrafanaDatasourcesSpec { InfluxQL = true, Flux = false });

        ExternalDatasources.Desired(DefaultedStack.Of(influxQlOnly), "t").Select(d => d.Uid).ShouldBe(["influxdb-influxql-idfdev"]);
        ExternalDatasources.Unwanted(DefaultedStack.Of(influxQlOnly)).ShouldBe(["influxdb-flux-idfdev"]);
        ExternalDatasources.Unwanted(DefaultedStack.Of(StackSamples.MinimalSample())).ShouldBeEmpty();
    }

    [Fact]
    public void Stored_as_sent_is_the_same_and_a_changed_url_or_missing_secret_is_not()
    {
        var desired = ExternalDatasources.Desired(DefaultedStack.Of(External()), "t0ken")[0];
        var stored = new GrafanaDatasource
        {
            Uid = desired.Uid, Name = desired.Name, Type = "influxdb", Access = "proxy", Url = desired.Url,
            // Grafana adds keys of its own: ignored.
            JsonData = new JsonObject { ["version"] = "InfluxQL", ["dbName"] = "metrics", ["httpMode"] = "POST", ["httpHeaderName1"] = "Authorization", ["timeInterval"] = "10s" },
            SecureJsonFields = new Dictionary<string, bool> { ["httpHeaderValue1"] = true },
        };

        ExternalDatasources.Same(desired, stored).ShouldBeTrue();
        ExternalDatasources.Same(desired, stored with { Url = "http://elsewhere" }).ShouldBeFalse();
        ExternalDatasources.Same(desired, stored with { SecureJsonFields = [] }).ShouldBeFalse();
        ExternalDatasources.Same(desired, stored with { JsonData = new JsonObject { ["version"] = "InfluxQL" } }).ShouldBeFalse();
    }

    [Fact]
    public void The_request_never_prints_its_token() =>
        ExternalDatasources.Desired(DefaultedStack.Of(External()), "s3cr3t-t0ken")[0].ToString().ShouldNotContain("s3cr3t-t0ken");
}

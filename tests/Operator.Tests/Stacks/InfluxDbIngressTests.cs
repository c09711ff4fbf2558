using k8s.Models;
using MetricsOperator.Alerts.External;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Tests.Stacks;

/// <summary>
/// InfluxDB's Ingress for a central Grafana outside the cluster (spec.influxdb.ingress): the Ingress, the NetworkPolicy
/// path from the ingress controller, the URL an external Grafana's datasources get, and the validation (pure).
/// </summary>
public sealed class InfluxDbIngressTests
{
    private static V1Alpha1MetricsStack Exposed(Action<InfluxDbSpec>? edit = null) => Stacks.MinimalSampleWith(s =>
    {
        s.Environment = "idfdev";
        s.Grafana!.Mode = GrafanaMode.External;
        s.Grafana.Url = "https://grafana.example.org";
        s.Grafana.CredentialsSecret = new SecretReference { Name = "central-grafana" };
        s.InfluxDb!.Ingress = new InfluxDbIngressSpec
        {
            Host = "data-dev.lsst.cloud",
            Path = "/influxdb",
            ClassName = "nginx",
            TlsSecret = "data-dev-tls",
            Annotations = new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/proxy-body-size"] = "50m" },
        };
        edit?.Invoke(s.InfluxDb);
    });

    private static V1NetworkPolicy InfluxDbPolicy(V1Alpha1MetricsStack stack) =>
        StackBuilder.Build(DefaultedStack.Of(stack)).OfType<V1NetworkPolicy>().Single(p => p.Metadata.Name == StackNames.AllowPolicy(stack, StackLabels.InfluxDb));

    [Fact]
    public void The_ingress_routes_the_host_and_prefix_to_influxdbs_service_with_tls_class_and_annotations()
    {
        var stack = Exposed();
        var ingress = StackBuilder.Build(DefaultedStack.Of(stack)).OfType<V1Ingress>().ShouldHaveSingleItem("external mode: Grafana has no Ingress, InfluxDB has its own");

        ingress.Metadata.Name.ShouldBe("metrics-influxdb");
        ingress.Metadata.OwnerReferences.ShouldHaveSingleItem().Kind.ShouldBe("MetricsStack");
        ingress.Metadata.Labels["app.kubernetes.io/component"].ShouldBe("influxdb");
        ingress.Metadata.Annotations.ShouldBe(new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/proxy-body-size"] = "50m" });
        ingress.Spec.IngressClassName.ShouldBe("nginx");
        var tls = ingress.Spec.Tls.ShouldHaveSingleItem();
        (tls.SecretName, tls.Hosts.ShouldHaveSingleItem()).ShouldBe(("data-dev-tls", "data-dev.lsst.cloud"));
        var rule = ingress.Spec.Rules.ShouldHaveSingleItem();
        rule.Host.ShouldBe("data-dev.lsst.cloud");
        var path = rule.Http.Paths.ShouldHaveSingleItem();
        (path.Path, path.PathType, path.Backend.Service.Name, path.Backend.Service.Port.Name).ShouldBe(("/influxdb", "Prefix", "metrics-influxdb", "http"));
        StackBuilder.Build(DefaultedStack.Of(stack)).OfType<V1Service>().Single(s => s.Metadata.Name == "metrics-influxdb").Spec.Ports
            .ShouldContain(p => p.Name == "http", "the Ingress names a port the Service has");
    }

    [Fact]
    public void Without_an_ingress_nothing_is_rendered_and_influxdbs_port_admits_no_namespace_but_the_operators()
    {
        var stack = Exposed(i => i.Ingress = null);

        StackBuilder.Build(DefaultedStack.Of(stack)).OfType<V1Ingress>().ShouldBeEmpty();
        InfluxDbPolicy(stack).Spec.Ingress.ShouldHaveSingleItem().FromProperty
            .Where(p => p.NamespaceSelector is not null).ShouldHaveSingleItem("the operator's namespace only")
            .NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"].ShouldBe(StackBuildOptions.Default.OperatorNamespace);
    }

    [Fact]
    public void With_an_ingress_influxdbs_port_also_admits_the_ingress_controllers_namespace()
    {
        var byDefault = InfluxDbPolicy(Exposed()).Spec.Ingress.ShouldHaveSingleItem();
        byDefault.FromProperty.ShouldContain(p => p.NamespaceSelector != null && p.PodSelector == null
            && p.NamespaceSelector.MatchLabels.Count == 1 && p.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == "ingress-nginx");
        byDefault.Ports.ShouldHaveSingleItem().Port.Value.ShouldBe(StackNames.InfluxDbPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var chosen = InfluxDbPolicy(Exposed(i => i.Ingress!.ControllerNamespaceSelector = new Dictionary<string, string> { ["ingress"] = "traefik" }));
        chosen.Spec.Ingress.Single().FromProperty.ShouldContain(p => p.NamespaceSelector != null && p.PodSelector == null
            && p.NamespaceSelector.MatchLabels.Count == 1 && p.NamespaceSelector.MatchLabels["ingress"] == "traefik");
        chosen.Spec.Ingress.Single().FromProperty.ShouldNotContain(p => p.NamespaceSelector != null && p.NamespaceSelector.MatchLabels.Values.Contains("ingress-nginx"));
    }

    [Theory]
    [InlineData("/influxdb", "data-dev-tls", null, "https://data-dev.lsst.cloud/influxdb")]
    [InlineData("/influxdb/", null, null, "http://data-dev.lsst.cloud/influxdb")]
    [InlineData("/", "data-dev-tls", null, "https://data-dev.lsst.cloud")]
    [InlineData("/influxdb", "data-dev-tls", "https://data-dev.lsst.cloud/api-influx", "https://data-dev.lsst.cloud/api-influx")]
    public void The_external_grafanas_datasources_point_at_the_ingress_unless_externalUrl_names_another(string path, string? tls, string? externalUrl, string expected)
    {
        var stack = Exposed(i =>
        {
            i.Ingress!.Path = path;
            i.Ingress.TlsSecret = tls;
            i.ExternalUrl = externalUrl;
        });

        ExternalDatasources.InfluxDbUrl(DefaultedStack.Of(stack)).ShouldBe(expected);
        ExternalDatasources.Desired(DefaultedStack.Of(stack), "read-token").ShouldAllBe(d => d.Url == expected);
        StackValidation.Validate(DefaultedStack.Of(stack)).ShouldBeEmpty();
    }

    [Fact]
    public void Without_an_ingress_or_externalUrl_the_datasources_point_at_the_in_cluster_service()
    {
        var stack = Exposed(i => i.Ingress = null);

        ExternalDatasources.InfluxDbUrl(DefaultedStack.Of(stack)).ShouldBe(StackNames.InfluxDbUrl(stack));
    }

    [Fact]
    public void An_externalUrl_naming_another_host_than_the_ingress_is_refused_naming_the_field()
    {
        var stack = Exposed(i => i.ExternalUrl = "https://data-prod.lsst.cloud/influxdb");

        var error = StackValidation.Validate(DefaultedStack.Of(stack)).ShouldHaveSingleItem();
        error.Field.ShouldBe("spec.influxdb.externalUrl");
        error.Message.ShouldContain("spec.influxdb.ingress.host \"data-dev.lsst.cloud\"");
    }
}

using System.Text.RegularExpressions;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;
using YamlDotNet.RepresentationModel;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

public partial class GrafanaBuilderTests
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void Datasource_provisioning_has_one_datasource_per_wanted_flavour_in_Grafana_format(bool influxQl, bool flux)
    {
        var stack = Stacks.MinimalSampleWith(spec => spec.Grafana!.Datasources = new GrafanaDatasourcesSpec { InfluxQL = influxQl, Flux = flux });

        var file = Parse(GrafanaDatasources.Render(DefaultedStack.Of(stack)));

        Scalar(file, "apiVersion").ShouldBe("1");
        var datasources = ((YamlSequenceNode)file.Children[new YamlScalarNode("datasources")]).Children.Cast<YamlMappingNode>().ToList();
        var versions = datasources.Select(d => Scalar((YamlMappingNode)d.Children[new YamlScalarNode("jsonData")], "version")).ToList();
        versions.ShouldBe([.. new[] { influxQl ? "InfluxQL" : null, flux ? "Flux" : null }.OfType<string>()]);
        datasources.Select(d => Scalar(d, "uid")).ShouldBeUnique();
        datasources.Select(d => Scalar(d, "name")).ShouldBeUnique();
        datasources.Count(d => Scalar(d, "isDefault") == "true").ShouldBe(datasources.Count > 0 ? 1 : 0);

        foreach (var datasource in datasources)
        {
            foreach (var required in new[] { "name", "type", "uid", "access", "url" })
            {
                Scalar(datasource, required).ShouldNotBeNullOrEmpty(required);
            }

            Scalar(datasource, "type").ShouldBe("influxdb");
            Scalar(datasource, "access").ShouldBe("proxy");
            Scalar(datasource, "url").ShouldBe("http://metrics-influxdb.metrics.svc:8086");
            Scalar(datasource, "uid")!.Length.ShouldBeLessThanOrEqualTo(40);
            var jsonData = (YamlMappingNode)datasource.Children[new YamlScalarNode("jsonData")];
            var secure = (YamlMappingNode)datasource.Children[new YamlScalarNode("secureJsonData")];
            if (Scalar(jsonData, "version") == "Flux")
            {
                Scalar(jsonData, "organization").ShouldBe("rubin");
                Scalar(jsonData, "defaultBucket").ShouldBe("metrics");
                Scalar(secure, "token").ShouldBe("${INFLUX_READ_TOKEN}");
            }
            else
            {
                Scalar(jsonData, "dbName").ShouldBe("metrics");
                Scalar(jsonData, "httpMode").ShouldBeOneOf("GET", "POST");
                Scalar(jsonData, "httpHeaderName1").ShouldBe("Authorization");
                Scalar(secure, "httpHeaderValue1").ShouldBe("Token ${INFLUX_READ_TOKEN}");
            }

            // Secure values are only environment interpolations: the token itself is never in the file.
            secure.Children.Values.Cast<YamlScalarNode>().ShouldAllBe(v => EnvInterpolation().IsMatch(v.Value!));
        }
    }

    [Fact]
    public void Every_variable_the_provisioning_file_interpolates_comes_from_a_Secret_in_the_Grafana_container()
    {
        var stack = Stacks.FullSample();
        var container = GrafanaBuilder.Deployment(DefaultedStack.Of(stack)).Spec.Template.Spec.Containers.Single();
        var variables = EnvReference().Matches(GrafanaDatasources.Render(DefaultedStack.Of(stack))).Select(m => m.Groups["name"].Value).Distinct().ToList();

        variables.ShouldBe([GrafanaDatasources.TokenEnv]);
        var token = container.Env.Single(e => e.Name == GrafanaDatasources.TokenEnv);
        token.ValueFrom.SecretKeyRef.Name.ShouldBe("metrics-grafana-token");
        token.ValueFrom.SecretKeyRef.Key.ShouldBe("token");
    }

    [Fact]
    public void Admin_credentials_come_from_the_admin_Secret()
    {
        var env = GrafanaBuilder.Deployment(DefaultedStack.Of(Stacks.MinimalSample())).Spec.Template.Spec.Containers.Single().Env.ToDictionary(e => e.Name);

        env["GF_SECURITY_ADMIN_USER"].ValueFrom.SecretKeyRef.ShouldSatisfyAllConditions(
            s => s.Name.ShouldBe("metrics-grafana-admin"), s => s.Key.ShouldBe("username"));
        env["GF_SECURITY_ADMIN_PASSWORD"].ValueFrom.SecretKeyRef.ShouldSatisfyAllConditions(
            s => s.Name.ShouldBe("metrics-grafana-admin"), s => s.Key.ShouldBe("password"));
    }

    [Fact]
    public void A_datasource_change_rolls_Grafana_and_another_change_does_not()
    {
        string Hash(V1Alpha1MetricsStack s) => GrafanaBuilder.Deployment(DefaultedStack.Of(s)).Spec.Template.Metadata.Annotations[ConfigHash.Annotation];

        var before = Hash(Stacks.MinimalSample());
        Hash(Stacks.MinimalSampleWith(spec => spec.Grafana!.Datasources!.Flux = false)).ShouldNotBe(before);
        Hash(Stacks.MinimalSampleWith(spec => spec.Telegraf!.Replicas = 3)).ShouldBe(before);
    }

    [Fact]
    public void External_mode_makes_no_Grafana_objects()
    {
        var objects = StackBuilder.Build(DefaultedStack.Of(Stacks.Variant("external-grafana")));

        objects.ShouldNotContain(o => o.Metadata.Labels[StackLabels.Component] == StackLabels.Grafana);
        Stacks.PodTemplates(objects).Select(t => t.Workload).ShouldBe(["StatefulSet/metrics-influxdb", "Deployment/metrics-telegraf"]);
    }

    [Fact]
    public void Grafana_keeps_its_database_on_a_claim_and_never_runs_two_pods_on_it()
    {
        var deployment = GrafanaBuilder.Deployment(DefaultedStack.Of(Stacks.MinimalSample()));

        deployment.Spec.Strategy.Type.ShouldBe("Recreate");
        deployment.Spec.Replicas.ShouldBe(1);
        deployment.Spec.Template.Spec.Volumes.ShouldContain(v => v.PersistentVolumeClaim != null && v.PersistentVolumeClaim.ClaimName == GrafanaBuilder.DataClaim(DefaultedStack.Of(Stacks.MinimalSample())).Metadata.Name);
    }

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    [GeneratedRegex(@"^(Token )?\$\{[A-Z_][A-Z0-9_]*\}$")]
    private static partial Regex EnvInterpolation();

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}|\$__env\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex EnvReference();
}

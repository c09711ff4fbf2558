using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.TestSupport.Network;
using YamlDotNet.RepresentationModel;

namespace MetricsOperator.Tests.Stacks;

/// <summary>The dashboard cache's objects, the datasource switch, its NetworkPolicy, its validation and CacheReady.</summary>
public class DashboardCacheBuilderTests
{
    private static V1Alpha1MetricsStack CacheOff() => SchemaDefaults.Applied(Stacks.FullSample());

    [Fact]
    public void With_the_cache_on_dashboards_default_to_a_cached_InfluxQL_datasource_and_alerting_keeps_the_direct_one()
    {
        var stack = Stacks.WithDashboardCache(DashboardCacheKind.Memory);

        var file = Parse(GrafanaDatasources.Render(DefaultedStack.Of(stack)));
        var datasources = Datasources(file);
        datasources.Select(d => (Scalar(d, "uid"), Scalar(d, "url"), Scalar(d, "isDefault"))).ShouldBe(
        [
            ("influxdb-influxql", "http://metrics-influxdb.metrics.svc:8086", "false"),
            ("influxdb-influxql-cached", "http://metrics-trickster.metrics.svc:8480", "true"),
            ("influxdb-flux", "http://metrics-influxdb.metrics.svc:8086", "false"),
        ]);
        var cached = datasources[1];
        Scalar(cached, "name").ShouldBe(GrafanaDatasources.CachedInfluxQlName);
        // The cached datasource sends the same token header as the direct one; Trickster passes it on.
        Scalar((YamlMappingNode)cached.Children[new YamlScalarNode("secureJsonData")], "httpHeaderValue1").ShouldBe("Token ${INFLUX_READ_TOKEN}");
        file.Children.ContainsKey(new YamlScalarNode("deleteDatasources")).ShouldBeFalse();

        StackAlertingFacts.From(DefaultedStack.Of(stack)).InfluxQlDatasourceUid.ShouldBe(GrafanaDatasources.InfluxQlUid);
        StackAlertingFacts.From(DefaultedStack.Of(stack)).DatasourceFor(QueryLanguage.InfluxQL).ShouldNotBe(GrafanaDatasources.CachedInfluxQlUid);
    }

    [Fact]
    public void With_the_cache_off_the_cached_datasource_is_deleted_from_Grafana_and_the_direct_one_is_the_default_again()
    {
        foreach (var stack in new[] { CacheOff(), Stacks.FullSampleWith(s => s.Grafana!.Cache = new DashboardCacheSpec { Enabled = false, Kind = DashboardCacheKind.Bbolt }) })
        {
            var file = Parse(GrafanaDatasources.Render(DefaultedStack.Of(stack)));

            Datasources(file).Select(d => Scalar(d, "uid")).ShouldBe(["influxdb-influxql", "influxdb-flux"]);
            Scalar(Datasources(file)[0], "isDefault").ShouldBe("true");
            var deleted = ((YamlSequenceNode)file.Children[new YamlScalarNode("deleteDatasources")]).Children.Cast<YamlMappingNode>().ShouldHaveSingleItem();
            Scalar(deleted, "name").ShouldBe(GrafanaDatasources.CachedInfluxQlName);
            StackBuilder.Build(DefaultedStack.Of(stack)).ShouldNotContain(o => o.Metadata.Name.Contains("trickster", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Turning_the_cache_on_rolls_Grafana_so_it_reads_the_new_datasources()
    {
        string Hash(V1Alpha1MetricsStack s) => GrafanaBuilder.Deployment(DefaultedStack.Of(s)).Spec.Template.Metadata.Annotations[ConfigHash.Annotation];

        Hash(Stacks.WithDashboardCache(DashboardCacheKind.Memory)).ShouldNotBe(Hash(CacheOff()));
    }

    [Theory]
    [InlineData(DashboardCacheKind.Memory)]
    [InlineData(DashboardCacheKind.Filesystem)]
    [InlineData(DashboardCacheKind.Bbolt)]
    public void Trickster_gets_no_token_anywhere_and_its_config_points_at_the_stack_s_InfluxDB(DashboardCacheKind kind)
    {
        var objects = StackBuilder.Build(DefaultedStack.Of(Stacks.WithDashboardCache(kind)));
        var config = objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "metrics-trickster-config").Data["trickster.yaml"];
        var deployment = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "metrics-trickster");
        var container = deployment.Spec.Template.Spec.Containers.Single();

        config.ShouldContain("origin_url: http://metrics-influxdb.metrics.svc:8086");
        config.ShouldContain("provider: influxdb");
        config.ShouldContain("provider: " + kind.ToString().ToLowerInvariant());
        foreach (var secretish in new[] { "Authorization", "Token", "token", "${", "password", "headers" })
        {
            config.ShouldNotContain(secretish);
        }

        container.Env.ShouldBeNull();
        container.EnvFrom.ShouldBeNull();
        deployment.Spec.Template.Spec.Volumes.ShouldAllBe(v => v.Secret == null);
        deployment.Spec.Template.Spec.AutomountServiceAccountToken.ShouldBe(false);
    }

    [Fact]
    public void Trickster_s_probes_are_its_ping_endpoint_on_a_declared_port()
    {
        var container = TricksterBuilder.Deployment(DefaultedStack.Of(Stacks.WithDashboardCache(DashboardCacheKind.Memory))).Spec.Template.Spec.Containers.Single();

        foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe })
        {
            probe.HttpGet.Path.ShouldBe("/trickster/ping");
            container.Ports.Select(p => p.Name).ShouldContain(probe.HttpGet.Port.Value);
        }

        container.Ports.Single(p => p.Name == "http").ContainerPort.ShouldBe(8480);
        container.Args.ShouldBe(["-config", "/etc/trickster/trickster.yaml"]);
        container.VolumeMounts.Single(m => m.Name == "config").MountPath.ShouldBe("/etc/trickster");
    }

    [Fact]
    public void A_cache_on_a_claim_runs_one_pod_replaced_with_Recreate_and_a_memory_cache_runs_the_replicas_asked_for()
    {
        var onClaim = Stacks.FullSampleWith(s => s.Grafana!.Cache = new DashboardCacheSpec { Enabled = true, Kind = DashboardCacheKind.Filesystem, Size = new ResourceQuantity("10Gi") });
        var objects = StackBuilder.Build(DefaultedStack.Of(onClaim));
        var claim = objects.OfType<V1PersistentVolumeClaim>().Single(c => c.Metadata.Name == "metrics-trickster");
        var deployment = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "metrics-trickster");

        claim.Spec.Resources.Requests["storage"].ShouldBe(new ResourceQuantity("10Gi"));
        claim.Metadata.OwnerReferences.ShouldBeNull("the sample keeps data (deletionPolicy Retain), so the claim outlives the stack like Grafana's");
        deployment.Spec.Replicas.ShouldBe(1);
        deployment.Spec.Strategy.Type.ShouldBe("Recreate");
        deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == "cache").PersistentVolumeClaim.ClaimName.ShouldBe("metrics-trickster");
        // The index evicts at 90% of the claim.
        TricksterConfigRenderer.Render(DefaultedStack.Of(onClaim)).ShouldContain("max_size_bytes: 9663676416");

        var memory = StackBuilder.Build(DefaultedStack.Of(Stacks.FullSampleWith(s => s.Grafana!.Cache = new DashboardCacheSpec { Enabled = true, Replicas = 3 })));
        memory.OfType<V1Deployment>().Single(d => d.Metadata.Name == "metrics-trickster").Spec.Replicas.ShouldBe(3);
        memory.OfType<V1PersistentVolumeClaim>().ShouldNotContain(c => c.Metadata.Name == "metrics-trickster");
    }

    [Fact]
    public void Only_Grafana_reaches_Trickster_and_Trickster_reaches_InfluxDB()
    {
        var stack = Stacks.WithDashboardCache(DashboardCacheKind.Memory);
        var objects = StackBuilder.Build(DefaultedStack.Of(stack));
        var policies = objects.OfType<V1NetworkPolicy>().ToList();
        var pods = Stacks.PodTemplates(objects).ToDictionary(t => t.Workload, t => Pod("metrics", t.Template.Metadata.Labels));
        var trickster = pods["Deployment/metrics-trickster"];
        var stranger = Pod("apps", new Dictionary<string, string> { ["app"] = "x" });

        NetworkPolicyPaths.Admits(policies, pods["Deployment/metrics-grafana"], trickster, 8480).ShouldBeTrue();
        NetworkPolicyPaths.Admits(policies, pods["StatefulSet/metrics-telegraf"], trickster, 8480).ShouldBeFalse();
        NetworkPolicyPaths.Admits(policies, stranger, trickster, 8480).ShouldBeFalse();
        NetworkPolicyPaths.Admits(policies, pods["Deployment/metrics-grafana"], trickster, 8481).ShouldBeFalse();
        NetworkPolicyPaths.Admits(policies, trickster, pods["StatefulSet/metrics-influxdb"], 8086).ShouldBeTrue();
        NetworkPolicyPaths.Admits(policies, trickster, pods["Deployment/metrics-grafana"], 3000).ShouldBeTrue("Grafana's port is open to all, as without the cache");

        // Out: InfluxDB's port and DNS only.
        var own = policies.Single(p => p.Metadata.Name == "metrics-trickster");
        own.Spec.PolicyTypes.ShouldBe(["Ingress", "Egress"]);
        own.Spec.Egress.Count.ShouldBe(2);
        own.Spec.Egress[0].To.ShouldHaveSingleItem().PodSelector.MatchLabels.ShouldBe(StackLabels.Selector(stack, StackLabels.InfluxDb));
        own.Spec.Egress[0].Ports.ShouldHaveSingleItem().Port.Value.ShouldBe("8086");
        own.Spec.Egress[1].To.ShouldBeNull();
        own.Spec.Egress[1].Ports.Select(p => (p.Protocol, p.Port.Value)).ShouldBe([("UDP", "53"), ("TCP", "53")]);

        // With the cache off, InfluxDB admits no Trickster pod.
        var offPolicies = StackBuilder.Build(DefaultedStack.Of(CacheOff())).OfType<V1NetworkPolicy>().ToList();
        NetworkPolicyPaths.Admits(offPolicies, trickster, pods["StatefulSet/metrics-influxdb"], 8086).ShouldBeFalse();
    }

    [Fact]
    public void The_cache_is_refused_naming_the_field_when_it_cannot_work()
    {
        string[] Errors(Action<MetricsStackSpec> edit) => [.. StackValidation.Validate(DefaultedStack.Of(Stacks.FullSampleWith(edit))).Select(e => e.ToString())];

        Errors(s => s.Grafana!.Cache = new DashboardCacheSpec { Enabled = true }).ShouldBeEmpty();
        Errors(s => { s.Grafana!.Cache = new DashboardCacheSpec { Enabled = true }; s.Grafana.Datasources!.InfluxQL = false; })
            .ShouldHaveSingleItem().ShouldStartWith("spec.grafana.cache.enabled: needs spec.grafana.datasources.influxql");
        Errors(s => s.Grafana!.Cache = new DashboardCacheSpec { Enabled = true, Kind = DashboardCacheKind.Bbolt, Replicas = 2 })
            .ShouldHaveSingleItem().ShouldStartWith("spec.grafana.cache.replicas: 2 pods cannot share a bbolt cache");
        Errors(s => s.Grafana!.Cache = new DashboardCacheSpec { Enabled = true, Size = new ResourceQuantity("1Gi") })
            .ShouldHaveSingleItem().ShouldStartWith("spec.grafana.cache.size: a 1Gi memory cache needs a memory limit of at least twice that");
        Errors(s => s.Grafana!.Cache = new DashboardCacheSpec { Enabled = true, Size = new ResourceQuantity("1Gi"), Resources = new Crds.ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("3Gi") } } })
            .ShouldBeEmpty();
        // Off, nothing about it is checked: a user may keep a cache block that would not work yet.
        Errors(s => s.Grafana!.Cache = new DashboardCacheSpec { Enabled = false, Kind = DashboardCacheKind.Bbolt, Replicas = 2 }).ShouldBeEmpty();

        var external = Stacks.MinimalSampleWith(s =>
        {
            s.Environment = "summit";
            s.Grafana!.Mode = GrafanaMode.External;
            s.Grafana.Url = "https://grafana.example.org";
            s.Grafana.CredentialsSecret = new SecretReference { Name = "central" };
            s.Grafana.Cache = new DashboardCacheSpec { Enabled = true };
        });
        StackValidation.Validate(DefaultedStack.Of(external)).Select(e => e.ToString()).ShouldHaveSingleItem().ShouldStartWith("spec.grafana.cache.enabled: needs spec.grafana.mode managed");
        StackBuilder.Build(DefaultedStack.Of(external)).ShouldNotContain(o => o.Metadata.Name.Contains("trickster", StringComparison.Ordinal));
    }

    [Fact]
    public void CacheReady_is_reported_only_with_the_cache_on_and_Ready_waits_for_it()
    {
        var on = Stacks.WithDashboardCache(DashboardCacheKind.Memory);
        var ready = new V1Deployment { Metadata = new V1ObjectMeta { Name = "metrics-grafana", Generation = 1 }, Spec = new V1DeploymentSpec { Replicas = 1 }, Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = 1, UpdatedReplicas = 1, AvailableReplicas = 1, ReadyReplicas = 1 } };
        var influx = new V1StatefulSet { Metadata = new V1ObjectMeta { Name = "metrics-influxdb", Generation = 1 }, Spec = new V1StatefulSetSpec { Replicas = 1 }, Status = new V1StatefulSetStatus { ObservedGeneration = 1, Replicas = 1, UpdatedReplicas = 1, ReadyReplicas = 1 } };

        var waiting = StackStatusReporter.Report(DefaultedStack.Of(on), new ObservedChildren(influx, ready, ready, Cache: null));
        waiting.Single(r => r.Type == MetricsStackConditions.CacheReady).Status.ShouldBe(ConditionSet.False);
        var notReady = waiting.Single(r => r.Type == MetricsStackConditions.Ready);
        notReady.Status.ShouldBe(ConditionSet.False);
        notReady.Message.ShouldContain("CacheReady");

        var running = StackStatusReporter.Report(DefaultedStack.Of(on), new ObservedChildren(influx, ready, ready, Cache: ready));
        running.Single(r => r.Type == MetricsStackConditions.CacheReady).Status.ShouldBe(ConditionSet.True);
        running.Single(r => r.Type == MetricsStackConditions.Ready).Message.ShouldBe("InfluxDB, Telegraf, Grafana and the dashboard cache are ready");

        StackStatusReporter.Report(DefaultedStack.Of(CacheOff()), new ObservedChildren(influx, ready, ready)).ShouldNotContain(r => r.Type == MetricsStackConditions.CacheReady);
    }

    private static NetworkPolicyPaths.Endpoint Pod(string ns, IDictionary<string, string> labels) =>
        new(ns, new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns }, labels);

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static List<YamlMappingNode> Datasources(YamlMappingNode file) =>
        [.. ((YamlSequenceNode)file.Children[new YamlScalarNode("datasources")]).Children.Cast<YamlMappingNode>()];

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;
}

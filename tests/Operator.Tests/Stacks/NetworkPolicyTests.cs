using k8s.Models;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

public class NetworkPolicyTests
{
    [Theory]
    [MemberData(nameof(Stacks.Variants), MemberType = typeof(Stacks))]
    public void The_default_deny_policy_selects_every_pod_of_the_stack_and_allows_nothing(string variant)
    {
        var objects = StackBuilder.Build(DefaultedStack.Of(Stacks.Variant(variant)));
        var deny = objects.OfType<V1NetworkPolicy>().Single(p => p.Metadata.Name == "metrics-default-deny");

        deny.Spec.PolicyTypes.ShouldBe(["Ingress"]);
        deny.Spec.Ingress.ShouldBeNull();
        foreach (var (workload, template) in Stacks.PodTemplates(objects))
        {
            deny.Spec.PodSelector.MatchLabels.ShouldBeSubsetOfOrFalse(template.Metadata.Labels).ShouldBeTrue(workload);
            objects.OfType<V1NetworkPolicy>().Count(p => p != deny && p.Spec.PodSelector.MatchLabels.ShouldBeSubsetOfOrFalse(template.Metadata.Labels))
                .ShouldBe(1, $"{workload} has exactly one allow policy");
        }
    }

    [Fact]
    public void Only_Telegraf_Grafana_and_the_operator_reach_InfluxDB()
    {
        var options = StackBuildOptions.Default with { OperatorNamespace = "ops" };
        var objects = StackBuilder.Build(DefaultedStack.Of(Stacks.FullSample()), options);
        var templates = Stacks.PodTemplates(objects).ToDictionary(t => t.Workload, t => t.Template.Metadata.Labels);
        var rule = objects.OfType<V1NetworkPolicy>().Single(p => p.Metadata.Name == "metrics-influxdb").Spec.Ingress.ShouldHaveSingleItem();

        rule.Ports.ShouldHaveSingleItem().Port.Value.ShouldBe("8086");
        var sameNamespacePeers = rule.FromProperty.Where(p => p.NamespaceSelector is null).ToList();
        sameNamespacePeers.ShouldAllBe(p => p.IpBlock == null);
        templates.Where(t => sameNamespacePeers.Any(p => p.PodSelector.MatchLabels.ShouldBeSubsetOfOrFalse(t.Value))).Select(t => t.Key).Order()
            .ShouldBe(["Deployment/metrics-grafana", "StatefulSet/metrics-telegraf"]);
        var operatorPeer = rule.FromProperty.Single(p => p.NamespaceSelector is not null);
        operatorPeer.NamespaceSelector.MatchLabels.ShouldBe(new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "ops" });
        operatorPeer.PodSelector.MatchLabels.ShouldBe(new Dictionary<string, string> { ["app.kubernetes.io/name"] = "metrics-operator" });
    }

    [Fact]
    public void Without_a_managed_Grafana_InfluxDB_has_no_Grafana_peer()
    {
        var objects = StackBuilder.Build(DefaultedStack.Of(Stacks.Variant("external-grafana")));
        var rule = objects.OfType<V1NetworkPolicy>().Single(p => p.Metadata.Name == "metrics-influxdb").Spec.Ingress.Single();

        rule.FromProperty.ShouldNotContain(p => p.PodSelector != null && p.PodSelector.MatchLabels != null && p.PodSelector.MatchLabels.Values.Contains("grafana"));
        objects.OfType<V1NetworkPolicy>().Select(p => p.Metadata.Name).ShouldBe(["metrics-default-deny", "metrics-influxdb", "metrics-telegraf"]);
    }

    [Fact]
    public void Only_namespaces_labelled_for_this_stack_reach_the_Telegraf_listener()
    {
        var rule = NetworkPolicyBuilder.Telegraf(DefaultedStack.Of(Stacks.MinimalSample())).Spec.Ingress.Single();

        var peer = rule.FromProperty.ShouldHaveSingleItem();
        peer.NamespaceSelector.ShouldNotBeNull().MatchLabels.ShouldBe(new Dictionary<string, string> { ["metrics.lsst.io/write-token"] = "metrics" });
        peer.NamespaceSelector.MatchExpressions.ShouldBeNull();
        peer.PodSelector.ShouldBeNull();
        rule.Ports.Single().Port.Value.ShouldBe("8186");
    }
}

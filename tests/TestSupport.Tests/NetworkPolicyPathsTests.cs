using k8s.Models;
using MetricsOperator.TestSupport.Network;

namespace MetricsOperator.TestSupport.Tests;

/// <summary>The NetworkPolicy evaluator answers as the Kubernetes documentation's examples do.</summary>
public sealed class NetworkPolicyPathsTests
{
    private static readonly Dictionary<string, string> Target = new() { ["role"] = "db" };
    private static readonly NetworkPolicyPaths.Endpoint Db = new("prod", new Dictionary<string, string>(), Target);

    [Fact]
    public void A_pod_no_policy_selects_admits_everything_and_a_default_deny_admits_nothing()
    {
        var from = new NetworkPolicyPaths.Endpoint("other", new Dictionary<string, string>(), new Dictionary<string, string>());
        NetworkPolicyPaths.Admits([], from, Db, 5432).ShouldBeTrue();
        NetworkPolicyPaths.Admits([Policy(new V1LabelSelector())], from, Db, 5432).ShouldBeFalse();
    }

    [Fact]
    public void Peers_select_by_namespace_labels_pod_labels_or_both()
    {
        var byNamespace = new V1NetworkPolicyPeer { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "a" } } };
        var byPod = new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["role"] = "web" } } };
        var teamA = new Dictionary<string, string> { ["team"] = "a" };
        var web = new Dictionary<string, string> { ["role"] = "web" };
        var policy = Policy(new V1LabelSelector { MatchLabels = Target }, new V1NetworkPolicyIngressRule { FromProperty = [byNamespace, byPod], Ports = [new V1NetworkPolicyPort { Port = 5432 }] });

        NetworkPolicyPaths.Admits([policy], new("a-ns", teamA, new Dictionary<string, string>()), Db, 5432).ShouldBeTrue("any pod of a selected namespace");
        NetworkPolicyPaths.Admits([policy], new("b-ns", new Dictionary<string, string>(), web), Db, 5432).ShouldBeFalse("a podSelector alone means the policy's own namespace");
        NetworkPolicyPaths.Admits([policy], new("prod", new Dictionary<string, string>(), web), Db, 5432).ShouldBeTrue();
        NetworkPolicyPaths.Admits([policy], new("a-ns", teamA, new Dictionary<string, string>()), Db, 6379).ShouldBeFalse("another port");

        var both = Policy(new V1LabelSelector(), new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { NamespaceSelector = byNamespace.NamespaceSelector, PodSelector = byPod.PodSelector }] });
        NetworkPolicyPaths.Admits([both], new("a-ns", teamA, new Dictionary<string, string>()), Db, 1).ShouldBeFalse("both selectors must hold");
        NetworkPolicyPaths.Admits([both], new("a-ns", teamA, web), Db, 1).ShouldBeTrue();
    }

    private static V1NetworkPolicy Policy(V1LabelSelector pods, params V1NetworkPolicyIngressRule[] ingress) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "prod" },
        Spec = new V1NetworkPolicySpec { PodSelector = pods, PolicyTypes = ["Ingress"], Ingress = ingress },
    };
}

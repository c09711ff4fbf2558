using k8s.Models;

namespace MetricsOperator.TestSupport.Network;

/// <summary>
/// Whether the NetworkPolicies of a namespace let a connection in, evaluated as a NetworkPolicy-enforcing CNI does, so a
/// test can ask "may a pod of namespace X reach this port" of the policies the operator applied (no CNI runs here).
/// </summary>
/// <remarks>
/// The rules, from the Kubernetes documentation "Network Policies" (concepts/services-networking/network-policies) and
/// the networking.k8s.io/v1 API reference: a pod selected by no policy with policyType Ingress admits everything; once
/// selected, a connection is admitted when some selecting policy has an ingress rule whose <c>from</c> matches the source
/// (empty or absent: every source) and whose <c>ports</c> match (empty or absent: every port). A peer with only
/// <c>podSelector</c> selects pods of the policy's own namespace; with only <c>namespaceSelector</c>, every pod of the
/// selected namespaces; with both, the selected pods of the selected namespaces. An empty selector selects everything.
/// ipBlock peers are not modelled (the operator writes none) and never match.
/// </remarks>
public static class NetworkPolicyPaths
{
    /// <summary>A pod as the policies see it: its namespace's name and labels, and its own labels.</summary>
    public sealed record Endpoint(string Namespace, IDictionary<string, string> NamespaceLabels, IDictionary<string, string> PodLabels);

    /// <summary>Whether <paramref name="source"/> may open TCP <paramref name="port"/> on <paramref name="target"/> under <paramref name="policies"/> (those of the target's namespace).</summary>
    public static bool Admits(IEnumerable<V1NetworkPolicy> policies, Endpoint source, Endpoint target, int port)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var selecting = policies
            .Where(p => p.Metadata.NamespaceProperty == target.Namespace)
            .Where(p => (p.Spec.PolicyTypes ?? ["Ingress"]).Contains("Ingress") && Matches(p.Spec.PodSelector, target.PodLabels))
            .ToList();
        if (selecting.Count == 0)
        {
            return true;
        }

        return selecting.Any(p => (p.Spec.Ingress ?? []).Any(rule =>
            (rule.FromProperty is not { Count: > 0 } || rule.FromProperty.Any(peer => PeerMatches(peer, p.Metadata.NamespaceProperty, source)))
            && (rule.Ports is not { Count: > 0 } || rule.Ports.Any(p => (p.Protocol ?? "TCP") == "TCP" && (p.Port is null || p.Port.Value == port.ToString(System.Globalization.CultureInfo.InvariantCulture))))));
    }

    private static bool PeerMatches(V1NetworkPolicyPeer peer, string policyNamespace, Endpoint source)
    {
        if (peer.IpBlock is not null)
        {
            return false;
        }

        var namespaceMatches = peer.NamespaceSelector is null
            ? source.Namespace == policyNamespace
            : Matches(peer.NamespaceSelector, source.NamespaceLabels);
        return namespaceMatches && (peer.PodSelector is null || Matches(peer.PodSelector, source.PodLabels));
    }

    /// <summary>Label selector semantics: every matchLabels pair and every expression must hold.</summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (selector is null)
        {
            return true;
        }

        var pairs = (selector.MatchLabels ?? new Dictionary<string, string>()).All(m => labels.TryGetValue(m.Key, out var v) && v == m.Value);
        var expressions = (selector.MatchExpressions ?? []).All(e => e.OperatorProperty switch
        {
            "In" => labels.TryGetValue(e.Key, out var v) && e.Values.Contains(v),
            "NotIn" => !labels.TryGetValue(e.Key, out var v) || !e.Values.Contains(v),
            "Exists" => labels.ContainsKey(e.Key),
            "DoesNotExist" => !labels.ContainsKey(e.Key),
            _ => throw new ArgumentException($"unknown selector operator {e.OperatorProperty}"),
        });
        return pairs && expressions;
    }
}

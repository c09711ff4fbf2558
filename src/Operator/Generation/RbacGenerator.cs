using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using k8s;
using k8s.Models;

namespace MetricsOperator.Generation;

/// <summary>
/// Generates config/rbac from the [RbacRule] declarations and the API kinds, kubebuilder style: the operator's
/// ClusterRole and binding, the Role for leader election, the per-stack-namespace role, the ServiceAccount,
/// and an editor and a viewer ClusterRole per kind. The RoleBinding that grants the per-stack-namespace role is
/// written to the subfolder <c>stack-namespace/</c> for the namespace <c>metrics</c>: one is needed in every
/// namespace that holds a MetricsStack, and <c>kubectl apply -f config/rbac</c> must not fail where that
/// namespace does not exist yet. Rules for the same group and resource are merged, verbs and
/// resources sorted, so the output depends only on what is declared. Pure: types in, documents out.
/// </summary>
public static class RbacGenerator
{
    /// <summary>Name of the operator's ServiceAccount and ClusterRole.</summary>
    public const string OperatorName = "metrics-operator";

    /// <summary>Namespace the operator runs in.</summary>
    public const string OperatorNamespace = "metrics-operator";

    /// <summary>Namespace the generated stack-namespace RoleBinding is for: where Phalanx puts its MetricsStack.</summary>
    public const string DefaultStackNamespace = "metrics";

    private const string RbacApiVersion = "rbac.authorization.k8s.io/v1";

    /// <summary>The classes in <paramref name="assembly"/> that declare [RbacRule]s.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimJustifications.GenerateOnly)]
    public static IReadOnlyList<Type> DeclarationsIn(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return [.. assembly.GetTypes().Where(type => type.GetCustomAttributes<RbacRuleAttribute>().Any()).OrderBy(type => type.FullName, StringComparer.Ordinal)];
    }

    /// <summary>The RBAC manifests for the rules declared on <paramref name="declaringTypes"/> and the API <paramref name="kinds"/>.</summary>
    public static IReadOnlyList<GeneratedManifest> Generate(IEnumerable<Type> declaringTypes, IEnumerable<Type> kinds)
    {
        ArgumentNullException.ThrowIfNull(declaringTypes);
        ArgumentNullException.ThrowIfNull(kinds);
        var declared = declaringTypes.SelectMany(type => type.GetCustomAttributes<RbacRuleAttribute>()).ToList();
        var labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = OperatorName };
        var serviceAccount = new Rbacv1Subject { Kind = "ServiceAccount", Name = OperatorName, NamespaceProperty = OperatorNamespace };
        var stackRoleName = OperatorName + "-stack-namespace";
        var leaderElectionName = OperatorName + "-leader-election";

        var manifests = new List<GeneratedManifest>
        {
            new("service_account.yaml", new V1ServiceAccount
            {
                ApiVersion = "v1",
                Kind = "ServiceAccount",
                Metadata = new V1ObjectMeta { Name = OperatorName, NamespaceProperty = OperatorNamespace, Labels = labels },
            }),
            new("role.yaml", ClusterRole(OperatorName, labels, Merge(declared, RbacScope.Cluster))),
            new("role_binding.yaml", new V1ClusterRoleBinding
            {
                ApiVersion = RbacApiVersion,
                Kind = "ClusterRoleBinding",
                Metadata = new V1ObjectMeta { Name = OperatorName, Labels = labels },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = OperatorName },
                Subjects = [serviceAccount],
            }),
            new("stack_namespace_role.yaml", ClusterRole(stackRoleName, labels, Merge(declared, RbacScope.StackNamespace))),
            new("stack-namespace/role_binding.yaml", new V1RoleBinding
            {
                ApiVersion = RbacApiVersion,
                Kind = "RoleBinding",
                Metadata = new V1ObjectMeta { Name = stackRoleName, NamespaceProperty = DefaultStackNamespace, Labels = labels },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = stackRoleName },
                Subjects = [serviceAccount],
            }),
            new("leader_election_role.yaml", new V1Role
            {
                ApiVersion = RbacApiVersion,
                Kind = "Role",
                Metadata = new V1ObjectMeta { Name = leaderElectionName, NamespaceProperty = OperatorNamespace, Labels = labels },
                Rules = Merge(declared, RbacScope.OperatorNamespace),
            }),
            new("leader_election_role_binding.yaml", new V1RoleBinding
            {
                ApiVersion = RbacApiVersion,
                Kind = "RoleBinding",
                Metadata = new V1ObjectMeta { Name = leaderElectionName, NamespaceProperty = OperatorNamespace, Labels = labels },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = leaderElectionName },
                Subjects = [serviceAccount],
            }),
        };

        foreach (var entity in kinds.Select(kind => kind.GetCustomAttribute<KubernetesEntityAttribute>()!).OrderBy(entity => entity.PluralName, StringComparer.Ordinal))
        {
            var singular = entity.Kind.ToLowerInvariant();
            manifests.Add(new($"{singular}_editor_role.yaml", ClusterRole($"{singular}-editor-role", labels,
            [
                Rule(entity.Group, [entity.PluralName], ["create", "delete", "get", "list", "patch", "update", "watch"]),
                Rule(entity.Group, [entity.PluralName + "/status"], ["get"]),
            ])));
            manifests.Add(new($"{singular}_viewer_role.yaml", ClusterRole($"{singular}-viewer-role", labels,
            [
                Rule(entity.Group, [entity.PluralName], ["get", "list", "watch"]),
                Rule(entity.Group, [entity.PluralName + "/status"], ["get"]),
            ])));
        }

        return manifests;
    }

    /// <summary>
    /// Merges the declarations of one scope: verbs are united per (group, resource), then resources that share
    /// a group and the same verbs become one rule. Sorted by group, then resource, so the order of
    /// declarations never shows in the output.
    /// </summary>
    internal static List<V1PolicyRule> Merge(IEnumerable<RbacRuleAttribute> declared, RbacScope scope)
    {
        var verbsByResource = new SortedDictionary<(string Group, string Resource, string Names), SortedSet<string>>();
        foreach (var rule in declared.Where(rule => rule.Scope == scope))
        {
            var verbs = Split(rule.Verbs);
            var resources = Split(rule.Resources);
            var names = string.Join(",", Split(rule.ResourceNames));
            if (verbs.Count == 0 || resources.Count == 0)
            {
                throw new InvalidOperationException($"An [RbacRule] for groups \"{rule.Groups}\" names no resources or no verbs.");
            }

            if (names.Length > 0 && verbs.Intersect(UnnamedVerbs).FirstOrDefault() is { } unnamed)
            {
                // The API server ignores resourceNames for these: the rule would silently grant them on every object.
                throw new InvalidOperationException($"An [RbacRule] on {rule.Resources} limited to names {names} grants \"{unnamed}\", which names cannot limit.");
            }

            foreach (var group in rule.Groups.Split(',').Select(group => group.Trim()).Distinct())
            {
                foreach (var resource in resources)
                {
                    if (!verbsByResource.TryGetValue((group, resource, names), out var set))
                    {
                        verbsByResource[(group, resource, names)] = set = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    set.UnionWith(verbs);
                }
            }
        }

        return
        [
            .. verbsByResource
                .GroupBy(entry => (entry.Key.Group, entry.Key.Names, Verbs: string.Join(",", entry.Value)))
                .Select(rule => Rule(rule.Key.Group, [.. rule.Select(entry => entry.Key.Resource)], [.. rule.Key.Verbs.Split(',')], rule.Key.Names))
                .OrderBy(rule => rule.ApiGroups[0], StringComparer.Ordinal)
                .ThenBy(rule => rule.Resources[0], StringComparer.Ordinal)
                .ThenBy(rule => rule.ResourceNames is null ? 0 : 1),
        ];
    }

    // Verbs that act on no single named object (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources).
    private static readonly string[] UnnamedVerbs = ["create", "list", "watch", "deletecollection"];

    private static V1ClusterRole ClusterRole(string name, Dictionary<string, string> labels, List<V1PolicyRule> rules) => new()
    {
        ApiVersion = RbacApiVersion,
        Kind = "ClusterRole",
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Rules = rules,
    };

    private static V1PolicyRule Rule(string group, List<string> resources, List<string> verbs, string names = "") => new()
    {
        ApiGroups = [group],
        Resources = resources,
        ResourceNames = names.Length == 0 ? null : [.. names.Split(',')],
        Verbs = verbs,
    };

    private static List<string> Split(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Order(StringComparer.Ordinal)];
}

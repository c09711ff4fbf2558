using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Generation;

namespace MetricsOperator.Tests.Generation;

/// <summary>The RBAC the declarations generate: merged, deterministic, and no wider than declared.</summary>
public sealed class RbacGeneratorTests
{
    private static readonly IReadOnlyList<GeneratedManifest> Manifests = RbacGenerator.Generate(
        RbacGenerator.DeclarationsIn(typeof(RbacGenerator).Assembly), CrdGenerator.KindsIn(typeof(V1Alpha1MetricsStack).Assembly));

    private static T Document<T>(string fileName) => (T)Manifests.Single(manifest => manifest.FileName == fileName).Document;

    private static IEnumerable<(string Group, string Resource, string Verb)> Grants(IEnumerable<V1PolicyRule> rules) =>
        rules.SelectMany(rule => rule.ApiGroups.SelectMany(group => rule.Resources.SelectMany(resource => rule.Verbs.Select(verb => (group, resource, verb)))));

    [Fact]
    public void Declarations_live_next_to_the_reconcilers()
    {
        RbacGenerator.DeclarationsIn(typeof(RbacGenerator).Assembly).Select(type => type.Name)
            .ShouldBe(["AppAlertControllerPermissions", "BackupJobPermissions", "ManagerPermissions", "MetricsStackControllerPermissions"], ignoreOrder: true);
    }

    [Fact]
    public void The_cluster_role_covers_the_kinds_their_status_and_finalizers()
    {
        var grants = Grants(Document<V1ClusterRole>("role.yaml").Rules).ToHashSet();

        foreach (var plural in new[] { "metricsstacks", "appalerts" })
        {
            foreach (var verb in new[] { "get", "list", "watch", "patch", "update" })
            {
                grants.ShouldContain(("metrics.lsst.io", plural, verb));
            }

            grants.ShouldContain(("metrics.lsst.io", plural + "/status", "patch"));
            grants.ShouldContain(("metrics.lsst.io", plural + "/finalizers", "update"));
        }

        grants.ShouldContain(("", "events", "create"));
        grants.ShouldContain(("apps", "statefulsets", "watch"));
        grants.ShouldContain(("", "persistentvolumeclaims", "watch"));
    }

    [Fact]
    public void Children_are_watched_cluster_wide_and_written_only_through_the_stack_namespace_role()
    {
        var cluster = Grants(Document<V1ClusterRole>("role.yaml").Rules).ToHashSet();
        var stackNamespace = Grants(Document<V1ClusterRole>("stack_namespace_role.yaml").Rules).ToHashSet();
        foreach (var (group, resource) in new[] { ("apps", "statefulsets"), ("apps", "deployments"), ("", "services"), ("", "configmaps"), ("", "persistentvolumeclaims"), ("networking.k8s.io", "networkpolicies") })
        {
            cluster.Where(g => g.Group == group && g.Resource == resource).Select(g => g.Verb).Order().ToList().ShouldBe(["get", "list", "watch"], resource);
            stackNamespace.Where(g => g.Group == group && g.Resource == resource).Select(g => g.Verb).Order().ToList().ShouldBe(["create", "delete", "patch"], resource);
        }
    }

    [Fact]
    public void Secrets_cluster_wide_are_only_the_write_token_copies_and_never_listed()
    {
        var rules = Document<V1ClusterRole>("role.yaml").Rules;
        Grants(rules).ShouldNotContain(grant => grant.Verb == "*" || grant.Resource == "*");

        // Outside stack namespaces: create (which RBAC cannot limit by name, and which cannot read or change an existing
        // Secret), and reading, changing and deleting only the Secret named metrics-write-token. Never list or watch.
        var secretRules = rules.Where(rule => rule.Resources.Contains("secrets")).ToList();
        secretRules.Count.ShouldBe(2);
        var unnamed = secretRules.Single(rule => rule.ResourceNames is null);
        unnamed.Verbs.ShouldBe(["create"]);
        var named = secretRules.Single(rule => rule.ResourceNames is not null);
        named.ResourceNames.ShouldBe(["metrics-write-token"]);
        named.Verbs.ShouldBe(["delete", "get", "patch"]);

        var secretVerbs = Grants(Document<V1ClusterRole>("stack_namespace_role.yaml").Rules).Where(grant => grant.Resource == "secrets").Select(grant => grant.Verb);
        secretVerbs.ShouldBe(["create", "get", "patch"]);
        Document<V1RoleBinding>("stack-namespace/role_binding.yaml").Metadata.NamespaceProperty.ShouldBe("metrics");
    }

    [Theory]
    [InlineData("create")]
    [InlineData("list")]
    [InlineData("watch")]
    public void A_rule_limited_to_names_may_not_grant_a_verb_names_cannot_limit(string verb)
    {
        var rule = new RbacRuleAttribute { Groups = "", Resources = "secrets", Verbs = "get," + verb, ResourceNames = "x" };

        Should.Throw<InvalidOperationException>(() => RbacGenerator.Merge([rule], RbacScope.Cluster)).Message.ShouldContain(verb);
    }

    [Fact]
    public void Leases_only_in_the_operator_namespace()
    {
        Grants(Document<V1ClusterRole>("role.yaml").Rules).ShouldNotContain(grant => grant.Resource == "leases");
        var role = Document<V1Role>("leader_election_role.yaml");

        role.Metadata.NamespaceProperty.ShouldBe("metrics-operator");
        Grants(role.Rules).ShouldAllBe(grant => grant.Group == "coordination.k8s.io" && grant.Resource == "leases");
    }

    [Fact]
    public void Bindings_name_the_service_account()
    {
        var account = Document<V1ServiceAccount>("service_account.yaml");
        var binding = Document<V1ClusterRoleBinding>("role_binding.yaml");

        account.Metadata.Name.ShouldBe("metrics-operator");
        account.Metadata.NamespaceProperty.ShouldBe("metrics-operator");
        binding.RoleRef.Name.ShouldBe("metrics-operator");
        binding.Subjects.ShouldHaveSingleItem().Name.ShouldBe("metrics-operator");
        Document<V1RoleBinding>("leader_election_role_binding.yaml").RoleRef.Kind.ShouldBe("Role");
    }

    [Fact]
    public void Editor_and_viewer_roles_per_kind()
    {
        Grants(Document<V1ClusterRole>("appalert_viewer_role.yaml").Rules).Where(grant => grant.Resource == "appalerts").Select(grant => grant.Verb)
            .ShouldBe(["get", "list", "watch"]);
        Grants(Document<V1ClusterRole>("metricsstack_editor_role.yaml").Rules).ShouldContain(("metrics.lsst.io", "metricsstacks", "create"));
    }

    [Fact]
    public void Merging_ignores_declaration_order_and_duplicates()
    {
        RbacRuleAttribute[] declared =
        [
            new() { Groups = "apps", Resources = "deployments", Verbs = "get,watch" },
            new() { Groups = "", Resources = "services", Verbs = "list" },
            new() { Groups = "apps", Resources = "statefulsets,deployments", Verbs = "list, get" },
            new() { Groups = "apps", Resources = "statefulsets", Verbs = "watch" },
            new() { Groups = "", Resources = "secrets", Verbs = "get", Scope = RbacScope.StackNamespace },
        ];

        var forwards = RbacGenerator.Merge(declared, RbacScope.Cluster);
        var backwards = RbacGenerator.Merge(declared.Reverse(), RbacScope.Cluster);

        Describe(forwards).ShouldBe(Describe(backwards));
        Describe(forwards).ShouldBe(["[]services:list", "[apps]deployments,statefulsets:get,list,watch"]);
    }

    [Fact]
    public void A_rule_without_verbs_is_refused() =>
        Should.Throw<InvalidOperationException>(() => RbacGenerator.Merge([new RbacRuleAttribute { Groups = "apps", Resources = "deployments" }], RbacScope.Cluster));

    private static List<string> Describe(IEnumerable<V1PolicyRule> rules) =>
        [.. rules.Select(rule => $"[{string.Join(",", rule.ApiGroups)}]{string.Join(",", rule.Resources)}:{string.Join(",", rule.Verbs)}")];
}

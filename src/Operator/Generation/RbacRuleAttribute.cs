namespace MetricsOperator.Generation;

/// <summary>
/// A permission the class's code needs, declared next to it as kubebuilder's <c>+kubebuilder:rbac</c> markers
/// are; <c>generate rbac</c> collects them into config/rbac. Lists are comma-separated, as in the markers;
/// the core API group is the empty string.
/// </summary>
/// <example><c>[RbacRule(Groups = "apps", Resources = "statefulsets,deployments", Verbs = "get,list,watch")]</c></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class RbacRuleAttribute : Attribute
{
    /// <summary>API groups, comma-separated; "" is the core group.</summary>
    public string Groups { get; set; } = "";

    /// <summary>Resources, comma-separated, with subresources as <c>resource/subresource</c>.</summary>
    public string Resources { get; set; } = "";

    /// <summary>Verbs, comma-separated.</summary>
    public string Verbs { get; set; } = "";

    /// <summary>
    /// Object names the rule is limited to, comma-separated; empty for all. The API server cannot limit create, list or
    /// watch by name, so a rule with names grants only the verbs that act on one named object (get, patch, update, delete).
    /// </summary>
    public string ResourceNames { get; set; } = "";

    /// <summary>Where the permission is granted; cluster-wide unless said otherwise.</summary>
    public RbacScope Scope { get; set; } = RbacScope.Cluster;
}

/// <summary>Where a permission is granted, from widest to narrowest.</summary>
public enum RbacScope
{
    /// <summary>In every namespace: the ClusterRole <c>metrics-operator</c>, bound by a ClusterRoleBinding.</summary>
    Cluster,

    /// <summary>
    /// Only in namespaces that hold a MetricsStack: the ClusterRole <c>metrics-operator-stack-namespace</c>, bound by
    /// a RoleBinding in each such namespace (the generated one is for <c>metrics</c>, Phalanx's).
    /// </summary>
    StackNamespace,

    /// <summary>Only in the operator's own namespace: the Role <c>metrics-operator-leader-election</c>.</summary>
    OperatorNamespace,
}

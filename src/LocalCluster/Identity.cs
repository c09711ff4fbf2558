namespace MetricsOperator.LocalCluster;

/// <summary>Who a test client authenticates as.</summary>
/// <param name="UserName">The Kubernetes user name the API server sees.</param>
/// <param name="Groups">The groups the API server sees.</param>
public sealed record Identity(string UserName, IReadOnlyList<string> Groups)
{
    /// <summary>The namespace the operator is installed in (config/rbac).</summary>
    public const string OperatorNamespace = "metrics-operator";

    /// <summary>The operator's ServiceAccount name (config/rbac).</summary>
    public const string OperatorServiceAccount = "metrics-operator";

    /// <summary>A cluster admin (group system:masters).</summary>
    public static Identity Admin { get; } = new("admin", ["system:masters", "system:authenticated"]);

    /// <summary>
    /// The operator's ServiceAccount. RBAC matches ServiceAccount subjects by this user
    /// name, so the generated ClusterRoleBinding is what grants this identity anything.
    /// </summary>
    public static Identity Operator { get; } = ServiceAccount(OperatorNamespace, OperatorServiceAccount);

    /// <summary>The identity the API server gives a ServiceAccount's tokens.</summary>
    public static Identity ServiceAccount(string ns, string name) => new(
        $"system:serviceaccount:{ns}:{name}",
        ["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"]);
}

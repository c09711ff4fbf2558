namespace MetricsOperator.LocalCluster;

/// <summary>
/// The generated RoleBinding (<c>config/rbac/stack-namespace/role_binding.yaml</c>) that lets the operator read and
/// write Secrets in one namespace holding a MetricsStack, made for another namespace than the <c>metrics</c> it is
/// generated for.
/// </summary>
public static class StackNamespaceBinding
{
    /// <summary>The binding's YAML, from the repository at <paramref name="repositoryRoot"/>, for namespace <paramref name="ns"/>.</summary>
    public static string For(string repositoryRoot, string ns) =>
        File.ReadAllText(Path.Combine(repositoryRoot, "config", "rbac", "stack-namespace", "role_binding.yaml"))
            .Replace("namespace: metrics\n", $"namespace: {ns}\n", StringComparison.Ordinal);
}

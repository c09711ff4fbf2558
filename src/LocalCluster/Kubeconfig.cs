namespace MetricsOperator.LocalCluster;

/// <summary>Writes kubeconfig files for the test control plane.</summary>
public static class Kubeconfig
{
    /// <summary>
    /// A kubeconfig with one context authenticating with a bearer token. The test server's
    /// certificate is self-signed by kube-apiserver at start, so TLS verification is skipped.
    /// </summary>
    public static string Render(Uri server, string user, string token) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: {server.ToString().TrimEnd('/')}
            insecure-skip-tls-verify: true
        users:
        - name: {user}
          user:
            token: {token}
        contexts:
        - name: test
          context:
            cluster: test
            user: {user}
        current-context: test
        """;
}

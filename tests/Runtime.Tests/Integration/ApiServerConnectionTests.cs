using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Runtime.Tests.Integration;

/// <summary>
/// The runtime's own TLS to the API server (not KubernetesClient's): with the cluster's CA as the only trust root, it
/// connects to the real kube-apiserver, whose serving certificate is signed by the CA it generated at start; another
/// CA, or a server name the certificate does not hold, is refused.
/// </summary>
[Collection(SharedPlaneGroup.Name)]
public sealed class ApiServerConnectionTests(SharedPlaneFixture fixture)
{
    [Fact]
    public async Task The_clusters_CA_verifies_the_API_server_and_another_CA_or_name_does_not()
    {
        // The local control plane's: a given cluster's (METRICS_OPERATOR_TEST_KUBECONFIG) CA is not known to the tests.
        var local = fixture.Plane.Local.ShouldNotBeNull();

        var clusterCa = new X509Certificate2Collection(ClusterCertificates.AuthorityOf(local));

        (await ListAsync(clusterCa)).ShouldNotBeNull();
        (await ListAsync(clusterCa, serverName: "kubernetes.default")).ShouldNotBeNull();

        var refused = await Should.ThrowAsync<HttpRequestException>(() => ListAsync(new X509Certificate2Collection(ClusterCertificates.AnotherAuthority())));
        refused.InnerException.ShouldBeOfType<AuthenticationException>();
        var wrongName = await Should.ThrowAsync<HttpRequestException>(() => ListAsync(clusterCa, serverName: "elsewhere.example"));
        wrongName.InnerException.ShouldBeOfType<AuthenticationException>();
    }

    private async Task<ObjectList<V1ConfigMap>> ListAsync(X509Certificate2Collection authorities, string? serverName = null)
    {
        var admin = fixture.Plane.ClientConfiguration(LocalCluster.Identity.Admin);
        using var api = new KubeApi(new KubernetesClientConfiguration
        {
            Host = admin.Host,
            AccessToken = admin.AccessToken,
            SslCaCerts = authorities,
            TlsServerName = serverName,
        });
        return await api.ListAsync<V1ConfigMap>("default", limit: 1);
    }
}

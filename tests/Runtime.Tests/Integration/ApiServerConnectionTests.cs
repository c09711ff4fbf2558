using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;

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

        // kube-apiserver 1.20 writes its self-signed serving certificate, then the CA that signed it, into one file.
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(Path.Combine(local.RunFolder, "certs", "apiserver.crt"));
        var clusterCa = new X509Certificate2Collection(bundle.Single(c => c.Subject == c.Issuer));

        (await ListAsync(clusterCa)).ShouldNotBeNull();
        (await ListAsync(clusterCa, serverName: "kubernetes.default")).ShouldNotBeNull();

        var refused = await Should.ThrowAsync<HttpRequestException>(() => ListAsync(new X509Certificate2Collection(OtherCa())));
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

    private static X509Certificate2 OtherCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=not-this-cluster", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}

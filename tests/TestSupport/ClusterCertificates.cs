using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MetricsOperator.LocalCluster;

namespace MetricsOperator.TestSupport;

/// <summary>Certificate authorities for tests of TLS to the API server.</summary>
public static class ClusterCertificates
{
    /// <summary>
    /// The CA that signed the local API server's serving certificate: kube-apiserver 1.20 writes its self-signed
    /// serving certificate, then that CA, into one file at start.
    /// </summary>
    public static X509Certificate2 AuthorityOf(LocalControlPlane local)
    {
        ArgumentNullException.ThrowIfNull(local);
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(Path.Combine(local.RunFolder, "certs", "apiserver.crt"));
        return bundle.Single(c => c.Subject == c.Issuer);
    }

    /// <summary>A CA that signed nothing the API server holds.</summary>
    public static X509Certificate2 AnotherAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=not-this-cluster", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}

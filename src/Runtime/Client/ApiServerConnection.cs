using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Authentication;

namespace MetricsOperator.Runtime.Client;

/// <summary>
/// The HTTP pipeline to one API server, built from a <see cref="KubernetesClientConfiguration"/>: its address, TLS
/// (the cluster's CA as the only trust root, a client certificate, the server name to expect, or no verification when
/// the configuration says so) and its credentials (a bearer token, a token provider such as the service account's
/// token file, or basic auth), with any <see cref="DelegatingHandler"/>s in front.
/// </summary>
/// <remarks>
/// This is what KubernetesClient's <see cref="Kubernetes"/> constructor sets up, done here because that constructor
/// also reads <c>KubernetesClientConfiguration.JsonSerializerOptions</c>, whose getter builds KubernetesClient's
/// <c>KubernetesJson</c>: the source-generated metadata of all ~950 of its models, which a Native AOT binary then
/// carries whole (docs/performance.md, tenth pass). The runtime reads and writes only the kinds it registers with
/// <c>KubeJson</c>, so nothing here may touch <c>KubernetesJson</c>.
/// </remarks>
internal sealed class ApiServerConnection : IDisposable
{
    private ApiServerConnection(Uri server, HttpClient http, ServiceClientCredentials? credentials)
    {
        Server = server;
        Http = http;
        Credentials = credentials;
    }

    public Uri Server { get; }

    public HttpClient Http { get; }

    public ServiceClientCredentials? Credentials { get; }

    public static ApiServerConnection Create(KubernetesClientConfiguration configuration, DelegatingHandler[] handlers)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!Uri.TryCreate(configuration.Host, UriKind.Absolute, out var server))
        {
            throw new ArgumentException($"The API server's address '{configuration.Host}' is not an absolute URL.", nameof(configuration));
        }

        var socket = new SocketsHttpHandler
        {
            // As KubernetesClient: HTTP/2 pings keep a watch's connection alive through idle proxies and notice a dead one.
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromMinutes(3),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            EnableMultipleHttp2Connections = true,
        };
        if (server.Scheme == Uri.UriSchemeHttps)
        {
            ConfigureTls(socket.SslOptions, configuration);
        }

        HttpMessageHandler first = string.IsNullOrEmpty(configuration.TlsServerName)
            ? socket
            : new ServerName(configuration.TlsServerName) { InnerHandler = socket };
        for (var i = handlers.Length - 1; i >= 0; i--)
        {
            var last = handlers[i];
            while (last.InnerHandler is DelegatingHandler inner)
            {
                last = inner;
            }

            last.InnerHandler = first;
            first = handlers[i];
        }

        // Every request carries its own timeout (KubeApi.RequestTimeout); a watch runs for minutes.
        var http = new HttpClient(first, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        return new ApiServerConnection(server, http, CredentialsOf(configuration));
    }

    /// <summary>An existing client's pipeline and credentials, as they are (its owner disposes it).</summary>
    public static ApiServerConnection Of(Kubernetes kubernetes)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        return new ApiServerConnection(kubernetes.BaseUri, kubernetes.HttpClient, kubernetes.Credentials);
    }

    public void Dispose() => Http.Dispose();

    private static void ConfigureTls(SslClientAuthenticationOptions tls, KubernetesClientConfiguration configuration)
    {
        if (configuration.SkipTlsVerify)
        {
#pragma warning disable CA5359 // The configuration (a kubeconfig's insecure-skip-tls-verify) asks for exactly this.
            tls.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (configuration.SslCaCerts is { Count: > 0 } authorities)
        {
            tls.RemoteCertificateValidationCallback = (_, certificate, _, errors) => IssuedByClusterAuthority(certificate, errors, authorities);
        }

        if (ClientCertificate(configuration) is { } clientCertificate)
        {
            tls.ClientCertificates = [clientCertificate];
            // Offer the certificate whatever CAs the server names: an API server behind a proxy may name none.
            tls.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }
    }

    // A kubeconfig holds the certificate and key as base64 of their PEM (client-certificate-data) or as PEM files.
    private static X509Certificate2? ClientCertificate(KubernetesClientConfiguration configuration)
    {
        var (certificate, key) = configuration switch
        {
            { ClientCertificateData: { Length: > 0 } data, ClientCertificateKeyData: { Length: > 0 } keyData } =>
                (Encoding.UTF8.GetString(Convert.FromBase64String(data)), Encoding.UTF8.GetString(Convert.FromBase64String(keyData))),
            { ClientCertificateFilePath: { Length: > 0 } path, ClientKeyFilePath: { Length: > 0 } keyPath } =>
                (File.ReadAllText(path), File.ReadAllText(keyPath)),
            _ => (null, null),
        };
        return certificate is null || key is null ? null : X509Certificate2.CreateFromPem(certificate, key);
    }

    // The cluster's CA is the only trust root, as kubectl has it: the system's roots do not vouch for an API server.
    private static bool IssuedByClusterAuthority(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection authorities)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    private static ServiceClientCredentials? CredentialsOf(KubernetesClientConfiguration configuration) => configuration switch
    {
        { TokenProvider: { } provider } => new TokenCredentials(provider),
        { AccessToken: { Length: > 0 } token } => new TokenCredentials(new StringTokenProvider(token, "Bearer")),
        { Username: { Length: > 0 } user } => new BasicAuthenticationCredentials { UserName = user, Password = configuration.Password },
        _ => null,
    };

    // The name a kubeconfig's tls-server-name asks the server's certificate to hold, when it is not the address's
    // host. SocketsHttpHandler takes the name it sends (SNI) and checks the certificate against from the Host header,
    // and ignores SslOptions.TargetHost; KubernetesClient sets the header the same way.
    private sealed class ServerName(string name) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Host = name;
            return base.SendAsync(request, cancellationToken);
        }
    }
}

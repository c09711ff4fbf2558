using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.KubeConfigModels;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MetricsOperator.Cli;

/// <summary>
/// Reads one kubeconfig file into KubernetesClient's own model and builds the client configuration of its current
/// context from it: the cluster's address and TLS, the user's token, basic auth, client certificate or exec plugin.
/// </summary>
/// <remarks>
/// KubernetesClient's <c>BuildConfigFromConfigFile</c> reads the file through <c>KubernetesYaml</c>, whose static
/// constructor prepares YAML overrides for every Kubernetes model type: about 3.6 MiB that stay live for the process's
/// life to read a file of a few lines, and it asks for property metadata tokens, which a Native AOT binary does not
/// have (the operator published that way stopped there). The kubeconfig model carries its own <c>YamlMember</c> names,
/// so a plain YamlDotNet deserializer reads it; relative certificate paths resolve against the file's folder, as
/// KubernetesClient does.
/// <para>
/// The mapping to <see cref="KubernetesClientConfiguration"/> is ours too: KubernetesClient's
/// <c>BuildConfigFromConfigObject</c> runs exec plugins through its own runner (<see cref="ExecCredentialPlugin"/> says
/// why not). Names match exactly, as kubectl matches them. <c>auth-provider</c> (the removed in-tree oidc, gcp and
/// azure providers) is refused with the plugin to use instead.
/// </para>
/// </remarks>
internal static class KubeconfigFile
{
    private static readonly IDeserializer Yaml = CreateReader();

    /// <summary>The configuration of the file's current context.</summary>
    /// <remarks>The models are read by reflection: a trimmed or Native AOT build keeps their constructors and
    /// properties only because they are named here (without it, "No parameterless constructor defined for type
    /// K8SConfiguration").</remarks>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(K8SConfiguration))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(Context))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(ContextDetails))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(Cluster))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(ClusterEndpoint))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(User))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(UserCredentials))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(AuthProvider))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(ExternalExecution))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, typeof(NamedExtension))]
    public static KubernetesClientConfiguration Load(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"kubeconfig {file.FullName} does not exist", file.FullName);
        }

        var config = Yaml.Deserialize<K8SConfiguration?>(File.ReadAllText(file.FullName))
            ?? throw new InvalidDataException($"kubeconfig {file.FullName} is empty");
        return ConfigurationOf(config, file);
    }

    private static KubernetesClientConfiguration ConfigurationOf(K8SConfiguration config, FileInfo file)
    {
        var where = $"kubeconfig {file.FullName}";
        var contextName = config.CurrentContext is { Length: > 0 } named ? named : throw new InvalidDataException($"{where}: current-context is not set");
        var context = config.Contexts?.FirstOrDefault(c => c.Name == contextName)?.ContextDetails
            ?? throw new InvalidDataException($"{where}: current-context {contextName} is not among its contexts");
        var cluster = config.Clusters?.FirstOrDefault(c => c.Name == context.Cluster)?.ClusterEndpoint
            ?? throw new InvalidDataException($"{where}: contexts[{contextName}].context.cluster {context.Cluster} is not among its clusters");
        if (!Uri.TryCreate(cluster.Server, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
        {
            throw new InvalidDataException($"{where}: clusters[{context.Cluster}].cluster.server \"{cluster.Server}\" is not an absolute http(s) URL");
        }

        var configuration = new KubernetesClientConfiguration
        {
            Host = cluster.Server,
            Namespace = context.Namespace,
            SkipTlsVerify = cluster.SkipTlsVerify,
            TlsServerName = cluster.TlsServerName,
            SslCaCerts = cluster switch
            {
                { CertificateAuthorityData: { Length: > 0 } data } => Authorities(Encoding.UTF8.GetString(Convert.FromBase64String(data))),
                { CertificateAuthority: { Length: > 0 } path } => Authorities(File.ReadAllText(Relative(file, path))),
                _ => null,
            },
        };
        if (!string.IsNullOrEmpty(context.User))
        {
            var user = config.Users?.FirstOrDefault(u => u.Name == context.User)?.UserCredentials
                ?? throw new InvalidDataException($"{where}: contexts[{contextName}].context.user {context.User} is not among its users");
            SetCredentials(configuration, user, context.User, file);
        }

        return configuration;
    }

    private static void SetCredentials(KubernetesClientConfiguration configuration, UserCredentials user, string name, FileInfo file)
    {
        if (user.AuthProvider is { } provider)
        {
            throw new InvalidDataException($"kubeconfig {file.FullName}: users[{name}].user.auth-provider {provider.Name} is not supported: use an exec credential plugin (kubelogin, gke-gcloud-auth-plugin)");
        }

        // A bearer token and basic auth exclude each other; either goes with a client certificate.
        if (!string.IsNullOrWhiteSpace(user.Token))
        {
            configuration.AccessToken = user.Token;
        }
        else if (!string.IsNullOrWhiteSpace(user.UserName))
        {
            configuration.Username = user.UserName;
            configuration.Password = user.Password;
        }

        if (!string.IsNullOrWhiteSpace(user.ClientCertificateData) && !string.IsNullOrWhiteSpace(user.ClientKeyData))
        {
            configuration.ClientCertificateData = user.ClientCertificateData;
            configuration.ClientCertificateKeyData = user.ClientKeyData;
        }
        else if (!string.IsNullOrWhiteSpace(user.ClientCertificate) && !string.IsNullOrWhiteSpace(user.ClientKey))
        {
            configuration.ClientCertificateFilePath = Relative(file, user.ClientCertificate);
            configuration.ClientKeyFilePath = Relative(file, user.ClientKey);
        }

        if (user.ExternalExecution is { } exec)
        {
            // Run once now, as kubectl does before its first request: a plugin that cannot run fails here, naming the
            // user, rather than at the first request; and a plugin may answer with a client certificate instead.
            var plugin = new ExecCredentialPlugin(exec, name, file.DirectoryName!);
            var credential = plugin.CredentialAsync(CancellationToken.None).GetAwaiter().GetResult();
            if (credential.Token is { } token)
            {
                configuration.AccessToken = token;
                configuration.TokenProvider = plugin;
            }
            else
            {
                // The client (ApiServerConnection) reads a certificate and key as base64 of their PEM, as a kubeconfig's
                // *-data fields hold them; a plugin prints the PEM itself.
                configuration.ClientCertificateData = Convert.ToBase64String(Encoding.ASCII.GetBytes(credential.ClientCertificatePem!));
                configuration.ClientCertificateKeyData = Convert.ToBase64String(Encoding.ASCII.GetBytes(credential.ClientKeyPem!));
            }
        }

        if (configuration is { AccessToken: null, Username: null, ClientCertificateData: null, ClientCertificateFilePath: null })
        {
            throw new InvalidDataException($"kubeconfig {file.FullName}: users[{name}].user has no credentials (token, username and password, client certificate and key, or exec)");
        }
    }

    private static X509Certificate2Collection Authorities(string pem)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPem(pem);
        return authorities;
    }

    private static string Relative(FileInfo file, string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(file.DirectoryName!, path));

    // YamlDotNet marks its reflection-based builder as needing dynamic code; reading these plain classes (strings, lists
    // of classes) needs none, and the published Native AOT binary reads kubeconfig files with it (KubeconfigFileTests
    // compare it with KubernetesClient's reader; bench/Operator.E2E runs the AOT binary on one).
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "See the comment above: no generic instantiation over a value type is made.")]
    private static IDeserializer CreateReader() => new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();
}

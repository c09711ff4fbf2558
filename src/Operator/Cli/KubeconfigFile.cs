using System.Diagnostics.CodeAnalysis;
using k8s;
using k8s.KubeConfigModels;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MetricsOperator.Cli;

/// <summary>
/// Reads one kubeconfig file into KubernetesClient's own model and builds the client configuration from it.
/// </summary>
/// <remarks>
/// KubernetesClient's <c>BuildConfigFromConfigFile</c> reads the file through <c>KubernetesYaml</c>, whose static
/// constructor prepares YAML overrides for every Kubernetes model type: about 3.6 MiB that stay live for the process's
/// life to read a file of a few lines, and it asks for property metadata tokens, which a Native AOT binary does not
/// have (the operator published that way stopped there). The kubeconfig model carries its own <c>YamlMember</c> names,
/// so a plain YamlDotNet deserializer reads it; relative certificate paths resolve against the file's folder, as
/// KubernetesClient does, through <see cref="K8SConfiguration.FileName"/>.
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
        config.FileName = file.FullName;
        return KubernetesClientConfiguration.BuildConfigFromConfigObject(config);
    }

    // YamlDotNet marks its reflection-based builder as needing dynamic code; reading these plain classes (strings, lists
    // of classes) needs none, and the published Native AOT binary reads kubeconfig files with it (KubeconfigFileTests
    // compare it with KubernetesClient's reader; bench/Operator.E2E runs the AOT binary on one).
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "See the comment above: no generic instantiation over a value type is made.")]
    private static IDeserializer CreateReader() => new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();
}

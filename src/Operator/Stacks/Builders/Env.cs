using k8s.Models;

namespace MetricsOperator.Stacks.Builders;

/// <summary>Small constructors for container environment variables.</summary>
internal static class Env
{
    public static V1EnvVar Value(string name, string value) => new() { Name = name, Value = value };

    /// <summary>A variable read from a Secret key by the kubelet: the value never appears in any object the operator writes.</summary>
    public static V1EnvVar FromSecret(string name, string secretName, string key) => new()
    {
        Name = name,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secretName, Key = key } },
    };
}

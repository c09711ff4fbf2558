using System.Security.Cryptography;
using System.Text;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The pod-template annotation that rolls a workload when a file it reads at start changes: the file lives in a
/// ConfigMap, which Kubernetes does not watch for the pods, so its hash goes into the template instead.
/// </summary>
public static class ConfigHash
{
    /// <summary>The annotation key on pod templates.</summary>
    public const string Annotation = Crds.ApiGroup.Name + "/config-hash";

    /// <summary>SHA-256 of <paramref name="contents"/> (UTF-8), as lower-case hex.</summary>
    public static string Of(string contents) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(contents)));

    /// <summary>The annotations of a pod template that reads <paramref name="contents"/>.</summary>
    public static IDictionary<string, string> AnnotationFor(string contents) =>
        new SortedDictionary<string, string>(StringComparer.Ordinal) { [Annotation] = Of(contents) };
}

using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Hosting;

/// <summary>
/// Source-generated JSON metadata of every kind the operator reads, applies or patches through the runtime: its two
/// CRDs and the built-in kinds a stack is made of. The settings are <see cref="KubeJson.Options"/>' (KubernetesClient's).
/// A kind missing here fails with an error naming it (OperatorJsonContextTests lists what must be covered).
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    Converters = [typeof(Iso8601TimeSpanConverter), typeof(KubernetesDateTimeConverter), typeof(KubernetesDateTimeOffsetConverter)])]
[JsonSerializable(typeof(V1Alpha1MetricsStack))]
[JsonSerializable(typeof(V1Alpha1AppAlert))]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1Deployment))]
[JsonSerializable(typeof(V1Ingress))]
[JsonSerializable(typeof(V1Job))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1NetworkPolicy))]
[JsonSerializable(typeof(V1PersistentVolumeClaim))]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1Role))]
[JsonSerializable(typeof(V1RoleBinding))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1ServiceAccount))]
[JsonSerializable(typeof(V1StatefulSet))]
[JsonSerializable(typeof(V1StorageClass))]
[JsonSerializable(typeof(List<V1OwnerReference>))]
public sealed partial class OperatorJsonContext : JsonSerializerContext
{
    /// <summary>Registers the context with the runtime before any of the operator's code runs (the binary's, and every
    /// test's that loads the operator).</summary>
    [ModuleInitializer]
    internal static void Register() => KubeJson.Register(Default);
}

using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MetricsOperator.Hosting;

/// <summary>
/// Source-generated JSON metadata of the built-in kinds the operator reads and writes (and only those), with the
/// settings of KubernetesClient's own context. Registered with the runtime's JSON beside the custom resources'.
/// </summary>
/// <remarks>
/// KubernetesClient's own context names all ~950 of its models; a Native AOT binary that reaches it carries their
/// metadata whole, 4.5 MiB of type structures alone (docs/performance.md, tenth pass). A kind missing here fails
/// where it is first read or written, naming the type (<c>KubeJson</c>), in every build and so in the tests;
/// <c>BuiltInKindsJsonContextTests</c> checks each kind the RBAC rules grant against this list.
/// </remarks>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(KubernetesJson.Iso8601TimeSpanConverter), typeof(KubernetesJson.KubernetesDateTimeConverter), typeof(KubernetesJson.KubernetesDateTimeOffsetConverter)])]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1Deployment))]
[JsonSerializable(typeof(V1Ingress))]
[JsonSerializable(typeof(V1Job))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1NetworkPolicy))]
[JsonSerializable(typeof(V1PersistentVolumeClaim))]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1StatefulSet))]
[JsonSerializable(typeof(V1StorageClass))]
internal sealed partial class BuiltInKindsJsonContext : JsonSerializerContext
{
}

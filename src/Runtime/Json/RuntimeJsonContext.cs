using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// The metadata of what the runtime itself reads and writes: the API server's Status, Leases (leader election),
/// core/v1 Events, the free-form JSON of fields typed <c>object</c> (managedFields' fieldsV1, read as a
/// <see cref="JsonElement"/>) and patch bodies built as <see cref="JsonNode"/>s. A program registers its own kinds'
/// (<see cref="KubeJson.Register"/>); KubernetesClient's context, which names all its models, is not used.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(KubernetesJson.Iso8601TimeSpanConverter), typeof(KubernetesJson.KubernetesDateTimeConverter), typeof(KubernetesJson.KubernetesDateTimeOffsetConverter)])]
[JsonSerializable(typeof(V1Status))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(Corev1Event))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
[JsonSerializable(typeof(JsonValue))]
[JsonSerializable(typeof(object))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext
{
}

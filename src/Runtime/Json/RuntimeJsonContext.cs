using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// Metadata KubernetesClient's context lacks and API objects need: the free-form JSON of fields typed <c>object</c>
/// (managedFields' fieldsV1, read as a <see cref="JsonElement"/>) and patch bodies built as <see cref="JsonNode"/>s.
/// </summary>
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
[JsonSerializable(typeof(JsonValue))]
[JsonSerializable(typeof(object))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext
{
}

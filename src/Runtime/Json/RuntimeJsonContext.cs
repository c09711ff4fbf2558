using System.Text.Json.Serialization;
using k8s.Models;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// Source-generated JSON metadata of the objects the runtime itself reads and writes, whatever kinds the application
/// reconciles: Status (errors, watch ERROR events), list metadata, Events and the leader-election Lease.
/// The settings match <see cref="KubeJson.Options"/>.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    Converters = [typeof(Iso8601TimeSpanConverter), typeof(KubernetesDateTimeConverter), typeof(KubernetesDateTimeOffsetConverter)])]
[JsonSerializable(typeof(V1Status))]
[JsonSerializable(typeof(V1ListMeta))]
[JsonSerializable(typeof(Corev1Event))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(EventCountPatch))]
[JsonSerializable(typeof(DeleteBody))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;

/// <summary>The merge patch that bumps a repeated Event.</summary>
internal sealed record EventCountPatch(
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("lastTimestamp")] DateTime LastTimestamp);

/// <summary>A DELETE's options: propagation, and the uid precondition when one is given.</summary>
internal sealed record DeleteBody(
    [property: JsonPropertyName("propagationPolicy")] string PropagationPolicy,
    [property: JsonPropertyName("preconditions")] DeletePreconditions? Preconditions);

/// <summary>Delete only the object with this uid (a same-named newer one is left alone).</summary>
internal sealed record DeletePreconditions([property: JsonPropertyName("uid")] string Uid);

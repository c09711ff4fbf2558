using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MetricsOperator.Crds;

/// <summary>
/// Source-generated JSON metadata of the metrics.lsst.io kinds, with the settings of KubernetesClient's own context
/// (camelCase, nulls left out, RFC 3339 times), so they are read and written without reflection (and so in a Native
/// AOT binary). The operator registers it with the runtime's JSON at start.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(KubernetesJson.Iso8601TimeSpanConverter), typeof(KubernetesJson.KubernetesDateTimeConverter), typeof(KubernetesJson.KubernetesDateTimeOffsetConverter)])]
[JsonSerializable(typeof(V1Alpha1MetricsStack))]
[JsonSerializable(typeof(V1Alpha1MetricsStackList))]
[JsonSerializable(typeof(V1Alpha1AppAlert))]
[JsonSerializable(typeof(V1Alpha1AppAlertList))]
public sealed partial class CrdJsonContext : JsonSerializerContext
{
}

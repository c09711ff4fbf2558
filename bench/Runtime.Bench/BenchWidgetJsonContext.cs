using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Bench;

/// <summary>The JSON metadata of the benchmark's kinds (its own and ConfigMaps), registered with the runtime as any program registers its kinds.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BenchWidget))]
[JsonSerializable(typeof(k8s.Models.V1ConfigMap))]
[JsonSerializable(typeof(k8s.Models.V1Namespace))]
internal sealed partial class BenchWidgetJsonContext : JsonSerializerContext
{
    [ModuleInitializer]
    internal static void Register() => KubeJson.Register(Default);
}

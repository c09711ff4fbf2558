using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Bench;

/// <summary>The benchmark kind's JSON metadata, registered with the runtime as any program registers its kinds.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BenchWidget))]
internal sealed partial class BenchWidgetJsonContext : JsonSerializerContext
{
    [ModuleInitializer]
    internal static void Register() => KubeJson.Register(Default);
}

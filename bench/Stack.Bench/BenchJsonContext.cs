using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using k8s.Models;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Stack.Bench;

/// <summary>
/// The JSON metadata of the one kind the benchmark writes that the operator never does (the RoleBinding that lets the
/// operator into the benchmark's namespace), registered as any program registers its kinds.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(V1RoleBinding))]
internal sealed partial class BenchJsonContext : JsonSerializerContext
{
    [ModuleInitializer]
    internal static void Register() => KubeJson.Register(Default);
}

using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using k8s.Models;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Tests;

/// <summary>
/// The JSON metadata of the kinds only the tests write through the runtime's client (the cluster's part: a namespace's
/// default ServiceAccount, which the Job emulator makes), registered as a program registers its kinds. Only those: a kind the operator
/// itself reads or writes belongs in its own context (BuiltInKindsJsonContext), or the tests would hide its absence.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(V1ServiceAccount))]
internal sealed partial class TestKindsJsonContext : JsonSerializerContext
{
    [ModuleInitializer]
    internal static void Register() => KubeJson.Register(Default);
}

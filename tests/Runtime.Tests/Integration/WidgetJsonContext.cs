using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using k8s.Models;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Tests.Integration;

/// <summary>
/// The JSON metadata of the kinds these tests read and write (the test kind and two built-in ones), registered as a
/// program registers its own kinds: the runtime knows only Status, Lease and Event, and has no reflection fallback.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Widget))]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1Deployment))]
public sealed partial class WidgetJsonContext : JsonSerializerContext
{
    // Before any test runs: every test class lives in this assembly.
    [ModuleInitializer]
    internal static void Register() => KubeJson.Register(Default);
}

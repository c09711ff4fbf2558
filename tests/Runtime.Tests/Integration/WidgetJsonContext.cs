using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Tests.Integration;

/// <summary>The test kind's JSON metadata, registered as a program registers its own kinds (the runtime has no reflection fallback).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Widget))]
public sealed partial class WidgetJsonContext : JsonSerializerContext
{
    // Before any test runs: every test class lives in this assembly.
    [ModuleInitializer]
    internal static void Register() => KubeJson.Register(Default);
}

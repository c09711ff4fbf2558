using System.Runtime.CompilerServices;
using MetricsOperator.Hosting;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Stack.Bench;

/// <summary>Registers the operator's JSON context before any code here reaches the runtime: code that creates a
/// MetricsStack through the runtime's client before touching the operator's own code would otherwise find no
/// metadata for it (the operator registers it when its module loads).</summary>
internal static class OperatorJson
{
    [ModuleInitializer]
    internal static void Register() => KubeJson.Register(OperatorJsonContext.Default);
}

using System.Runtime.CompilerServices;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Tests;

/// <summary>The runtime's tests reconcile kinds of their own (Widgets) that no source-generated context lists: they
/// let the runtime's JSON fall back to reflection. The operator's tests do not (OperatorJsonContext covers its kinds).</summary>
internal static class ReflectionJson
{
    [ModuleInitializer]
    internal static void Allow() => KubeJson.AllowReflection();
}

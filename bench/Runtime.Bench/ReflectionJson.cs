using System.Runtime.CompilerServices;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Bench;

/// <summary>The benchmark's BenchWidget kind is in no source-generated context: the runtime's JSON falls back to reflection.</summary>
internal static class ReflectionJson
{
    [ModuleInitializer]
    internal static void Allow() => KubeJson.AllowReflection();
}

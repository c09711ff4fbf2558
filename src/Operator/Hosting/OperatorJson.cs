using System.Runtime.CompilerServices;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Hosting;

/// <summary>Tells the runtime's JSON about the metrics.lsst.io kinds and the built-in kinds the operator uses, before any code of the operator runs.</summary>
internal static class OperatorJson
{
    // A module initializer rather than a call in Program: every command (run, render, backup, restore) and every test
    // that reaches the operator's code reads custom resources, and none may read one before this ran (the options
    // remember a type they could not resolve).
    [ModuleInitializer]
    internal static void Register()
    {
        KubeJson.Register(BuiltInKindsJsonContext.Default);
        KubeJson.Register(CrdJsonContext.Default);
    }
}

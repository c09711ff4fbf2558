namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// What the builders need to know about the operator itself: where its pods run, so the NetworkPolicies can let
/// them bootstrap InfluxDB. The reconciler passes its own namespace; <c>render</c> takes it from a flag.
/// </summary>
/// <param name="OperatorNamespace">Namespace the operator's pods run in.</param>
/// <param name="OperatorPodLabels">Labels that select the operator's pods in that namespace.</param>
public sealed record StackBuildOptions(string OperatorNamespace, IReadOnlyDictionary<string, string> OperatorPodLabels)
{
    /// <summary>The operator's default namespace and pod labels (as its own manifests deploy it).</summary>
    public static StackBuildOptions Default { get; } = new(
        "metrics-operator",
        new SortedDictionary<string, string>(StringComparer.Ordinal) { [StackLabels.Name] = StackLabels.ManagedByValue });
}

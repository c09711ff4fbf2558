namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// What the builders need to know about the operator itself: where its pods run, so the NetworkPolicies can let
/// them bootstrap InfluxDB. The reconciler passes its own namespace; <c>render</c> takes it from a flag.
/// </summary>
/// <param name="OperatorNamespace">Namespace the operator's pods run in.</param>
/// <param name="OperatorPodLabels">Labels that select the operator's pods in that namespace.</param>
public sealed record StackBuildOptions(string OperatorNamespace, IReadOnlyDictionary<string, string> OperatorPodLabels)
{
    /// <summary>
    /// Which Telegraf token the pods should run with (the authorization ID in status, never the token): a change goes
    /// into the pod template annotation <see cref="TokenRevision.Annotation"/> and rolls the pods. Null: none yet.
    /// </summary>
    public string? TelegrafTokenRevision { get; init; }

    /// <summary>Which Grafana read token the pods should run with, as <see cref="TelegrafTokenRevision"/>.</summary>
    public string? GrafanaTokenRevision { get; init; }

    /// <summary>
    /// Which listener token Telegraf's pods should run with: its creation time (never the token), in the pod template
    /// annotation <see cref="ListenerTokenRevisionAnnotation"/>, so a rotation rolls them. Null: none yet.
    /// </summary>
    public string? ListenerTokenRevision { get; init; }

    /// <summary>The pod-template annotation carrying <see cref="ListenerTokenRevision"/>.</summary>
    public const string ListenerTokenRevisionAnnotation = Crds.ApiGroup.Name + "/listener-token-revision";

    /// <summary>These options with the token revisions <paramref name="status"/> records (the authorization IDs the InfluxDB step wrote).</summary>
    public StackBuildOptions WithTokens(Crds.MetricsStackStatus? status) => this with
    {
        TelegrafTokenRevision = status?.Secrets?.TelegrafWriteTokenId,
        GrafanaTokenRevision = status?.Secrets?.GrafanaReadTokenId,
    };

    /// <summary>The operator's default namespace and pod labels (as its own manifests deploy it).</summary>
    public static StackBuildOptions Default { get; } = new(
        "metrics-operator",
        new SortedDictionary<string, string>(StringComparer.Ordinal) { [StackLabels.Name] = StackLabels.ManagedByValue });
}

using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Influx;

/// <summary>
/// The two scoped tokens the operator makes: Telegraf may write the shared bucket and nothing else, Grafana may
/// read it and nothing else. Each has a description the operator owns (how it finds its authorizations again:
/// tokens cannot be read back), a Secret, and a status field naming that Secret.
/// </summary>
public sealed record ScopedToken(string Role, string Action)
{
    /// <summary>Telegraf's token: write on the bucket.</summary>
    public static ScopedToken TelegrafWrite { get; } = new("telegraf", "write");

    /// <summary>Grafana's token: read on the bucket.</summary>
    public static ScopedToken GrafanaRead { get; } = new("grafana", "read");

    /// <summary>Both, in the order they are made.</summary>
    public static IReadOnlyList<ScopedToken> All { get; } = [TelegrafWrite, GrafanaRead];

    /// <summary>Prefix of every description the operator writes on an authorization.</summary>
    public const string DescriptionPrefix = "metrics-operator:";

    /// <summary>The description identifying this token of <paramref name="stack"/>, e.g. <c>metrics-operator:metrics/metrics:telegraf-write</c>.</summary>
    public string Description(V1Alpha1MetricsStack stack) =>
        $"{DescriptionPrefix}{StackNames.Namespace(stack)}/{stack.Metadata.Name}:{Role}-{Action}";

    /// <summary>The Secret holding the token.</summary>
    public string SecretName(V1Alpha1MetricsStack stack) =>
        Role == TelegrafWrite.Role ? StackNames.TelegrafTokenSecret(stack) : StackNames.GrafanaTokenSecret(stack);

    /// <summary>Exactly the permissions this token must have: one action on one bucket.</summary>
    public IReadOnlyList<InfluxGrant> Permissions(string orgId, string bucketId) =>
        [new InfluxGrant(Action, "buckets", bucketId, orgId)];
}

using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Alerts;

/// <summary>
/// What the mapping needs to know about the stack an AppAlert targets: which InfluxDB datasources its Grafana has
/// (by UID, null when not provisioned), the contact points it declares and the default one, and the environment
/// whose name every Grafana identity of its rules carries (see <see cref="AlertNames"/>).
/// </summary>
/// <param name="InfluxQlDatasourceUid">UID of the InfluxQL datasource, or null.</param>
/// <param name="FluxDatasourceUid">UID of the Flux datasource, or null.</param>
/// <param name="ContactPoints">Names of the stack's contact points.</param>
/// <param name="DefaultContactPoint">The root policy's contact point, or null.</param>
/// <param name="Environment">The stack's <c>spec.environment</c>, or null when it has none.</param>
public sealed record StackAlertingFacts(
    string? InfluxQlDatasourceUid,
    string? FluxDatasourceUid,
    IReadOnlyCollection<string> ContactPoints,
    string? DefaultContactPoint,
    string? Environment = null)
{
    /// <summary>
    /// The facts of <paramref name="stack"/> (schema defaults applied: both datasources unless turned off). A managed
    /// Grafana's datasources keep their fixed UIDs (its provisioning file holds only its own environment's, and
    /// dashboards name them); an external Grafana, which several environments may share, holds the environment's own
    /// (<see cref="AlertNames.DatasourceUid"/>).
    /// </summary>
    public static StackAlertingFacts From(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var grafana = stack.Grafana;
        var environment = EnvironmentOf(stack);
        string? Uid(bool provisioned, string uid) =>
            !provisioned ? null
            : !grafana.IsManaged && environment is not null ? AlertNames.DatasourceUid(uid, environment)
            : uid;
        return new StackAlertingFacts(
            Uid(grafana.Datasources.InfluxQL, GrafanaDatasources.InfluxQlUid),
            Uid(grafana.Datasources.Flux, GrafanaDatasources.FluxUid),
            [.. (grafana.Spec.ContactPoints ?? []).Select(c => c.Name)],
            grafana.DefaultContactPoint,
            environment);
    }

    /// <summary>The stack's <c>spec.environment</c>, null when it has none (no default: nothing to apply).</summary>
    public static string? EnvironmentOf(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return string.IsNullOrEmpty(stack.Spec?.Environment) ? null : stack.Spec.Environment;
    }

    /// <summary>The datasource UID for <paramref name="language"/>, or null when the stack has none.</summary>
    public string? DatasourceFor(QueryLanguage language) => language == QueryLanguage.Flux ? FluxDatasourceUid : InfluxQlDatasourceUid;
}

using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Alerts;

/// <summary>
/// What the mapping needs to know about the stack an AppAlert targets: which InfluxDB datasources its Grafana has
/// (by UID, null when not provisioned), the contact points it declares and the default one.
/// </summary>
/// <param name="InfluxQlDatasourceUid">UID of the InfluxQL datasource, or null.</param>
/// <param name="FluxDatasourceUid">UID of the Flux datasource, or null.</param>
/// <param name="ContactPoints">Names of the stack's contact points.</param>
/// <param name="DefaultContactPoint">The root policy's contact point, or null.</param>
public sealed record StackAlertingFacts(
    string? InfluxQlDatasourceUid,
    string? FluxDatasourceUid,
    IReadOnlyCollection<string> ContactPoints,
    string? DefaultContactPoint)
{
    /// <summary>The facts of <paramref name="stack"/> (schema defaults applied: both datasources unless turned off).</summary>
    public static StackAlertingFacts From(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var grafana = SchemaDefaults.Applied(stack).Spec.Grafana!;
        return new StackAlertingFacts(
            grafana.Datasources?.InfluxQL == true ? GrafanaDatasources.InfluxQlUid : null,
            grafana.Datasources?.Flux == true ? GrafanaDatasources.FluxUid : null,
            [.. (grafana.ContactPoints ?? []).Select(c => c.Name)],
            grafana.DefaultContactPoint);
    }

    /// <summary>The datasource UID for <paramref name="language"/>, or null when the stack has none.</summary>
    public string? DatasourceFor(QueryLanguage language) => language == QueryLanguage.Flux ? FluxDatasourceUid : InfluxQlDatasourceUid;
}

using System.Text.Json.Nodes;
using MetricsOperator.Crds;
using MetricsOperator.Grafana;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Alerts.External;

/// <summary>
/// The datasources an environment keeps in an external Grafana (pure): the same InfluxQL and Flux datasources a managed
/// Grafana gets from its provisioning file (<see cref="GrafanaDatasources"/>), with the environment in their UIDs
/// (those the rules name: <see cref="StackAlertingFacts"/>) and names (Grafana keeps names unique), pointing at
/// <c>spec.influxdb.externalUrl</c>, the read token in <c>secureJsonData</c>.
/// </summary>
public static class ExternalDatasources
{
    /// <summary>
    /// The URL the external Grafana reaches InfluxDB at: spec.influxdb.externalUrl, else the URL of InfluxDB's Ingress
    /// (spec.influxdb.ingress), else the in-cluster Service.
    /// </summary>
    public static string InfluxDbUrl(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.InfluxDb.ExternalUrl is { Length: > 0 } url ? url
            : InfluxDbIngressBuilder.UrlOf(stack) ?? StackNames.InfluxDbUrl(stack);
    }

    /// <summary>The datasources <paramref name="stack"/> asks for, each carrying <paramref name="readToken"/>.</summary>
    public static IReadOnlyList<DataSourceCommand> Desired(DefaultedStack stack, string readToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var facts = StackAlertingFacts.From(stack);
        var environment = facts.Environment ?? throw new ArgumentException("an external Grafana needs spec.environment; validate first", nameof(stack));
        var influxDb = stack.InfluxDb;
        var url = InfluxDbUrl(stack);
        var desired = new List<DataSourceCommand>();
        if (facts.InfluxQlDatasourceUid is { } influxQl)
        {
            desired.Add(new DataSourceCommand
            {
                Uid = influxQl,
                Name = $"InfluxDB (InfluxQL) {environment}",
                Type = "influxdb",
                Url = url,
                JsonData = Json(InfluxDatasourceSettings.InfluxQl(influxDb.Bucket)),
                SecureJsonData = new Dictionary<string, string>(InfluxDatasourceSettings.InfluxQlSecret(readToken)),
            });
        }

        if (facts.FluxDatasourceUid is { } flux)
        {
            desired.Add(new DataSourceCommand
            {
                Uid = flux,
                Name = $"InfluxDB (Flux) {environment}",
                Type = "influxdb",
                Url = url,
                JsonData = Json(InfluxDatasourceSettings.Flux(influxDb.Organization, influxDb.Bucket)),
                SecureJsonData = new Dictionary<string, string>(InfluxDatasourceSettings.FluxSecret(readToken)),
            });
        }

        return desired;
    }

    private static JsonObject Json(IReadOnlyDictionary<string, string> settings) =>
        new(settings.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));

    /// <summary>The environment's datasource UIDs the spec does not ask for (a flavour turned off): to delete.</summary>
    public static IReadOnlyList<string> Unwanted(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var environment = StackAlertingFacts.EnvironmentOf(stack);
        if (environment is null)
        {
            return [];
        }

        var wanted = Desired(stack, "").Select(d => d.Uid).ToHashSet(StringComparer.Ordinal);
        return [.. All(environment).Where(uid => !wanted.Contains(uid))];
    }

    /// <summary>Every datasource UID the operator may keep for <paramref name="environment"/>.</summary>
    public static IReadOnlyList<string> All(string environment) =>
        [AlertNames.DatasourceUid(GrafanaDatasources.InfluxQlUid, environment), AlertNames.DatasourceUid(GrafanaDatasources.FluxUid, environment)];

    /// <summary>
    /// Whether Grafana holds <paramref name="desired"/> as sent, secrets aside: name, type, access, URL, every jsonData
    /// key the operator sets (Grafana's own additions ignored), and each secure key set.
    /// </summary>
    public static bool Same(DataSourceCommand desired, GrafanaDatasource stored)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(stored);
        return desired.Name == stored.Name
            && desired.Type == stored.Type
            && desired.Access == stored.Access
            && desired.Url == stored.Url
            && desired.JsonData.All(p => JsonNode.DeepEquals(p.Value, stored.JsonData?[p.Key]))
            && (desired.SecureJsonData?.Keys ?? Enumerable.Empty<string>()).All(k => stored.SecureJsonFields?.GetValueOrDefault(k) == true);
    }
}

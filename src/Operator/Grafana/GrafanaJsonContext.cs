using System.Text.Json.Serialization;

namespace MetricsOperator.Grafana;

/// <summary>
/// Source-generated metadata of every Grafana request and response body (<see cref="GrafanaJson.Options"/> resolves
/// through it only), so the client needs no reflection and runs in a Native AOT binary. A body of a type missing here
/// fails every build's tests with the type's name.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GrafanaHealth))]
[JsonSerializable(typeof(List<GrafanaFolder>))]
[JsonSerializable(typeof(CreateFolderCommand))]
[JsonSerializable(typeof(List<GrafanaSearchHit>))]
[JsonSerializable(typeof(GrafanaDatasource))]
[JsonSerializable(typeof(DataSourceCommand))]
[JsonSerializable(typeof(ProvisionedAlertRule))]
[JsonSerializable(typeof(List<ProvisionedAlertRule>))]
// Grafana's rules as the snapshot keeps them packed (Alerts/PackedRuleGroup), with the same settings.
[JsonSerializable(typeof(MetricsOperator.Alerts.PackedGroupWrite))]
[JsonSerializable(typeof(MetricsOperator.Alerts.PackedGroupRead))]
[JsonSerializable(typeof(AlertRuleGroup))]
[JsonSerializable(typeof(EmbeddedContactPoint))]
[JsonSerializable(typeof(List<EmbeddedContactPoint>))]
[JsonSerializable(typeof(NotificationRoute))]
[JsonSerializable(typeof(List<NotificationTemplate>))]
[JsonSerializable(typeof(NotificationTemplateContent))]
[JsonSerializable(typeof(MuteTiming))]
[JsonSerializable(typeof(List<MuteTiming>))]
internal sealed partial class GrafanaJsonContext : JsonSerializerContext
{
}

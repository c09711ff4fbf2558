using System.Text.Json.Serialization;

namespace MetricsOperator.Grafana;

/// <summary>
/// Source-generated JSON metadata of every Grafana request and response body (<see cref="GrafanaJson.Options"/>
/// resolves through it), so the Grafana client needs no reflection in a trimmed or Native AOT binary.
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
[JsonSerializable(typeof(AlertRuleGroup))]
[JsonSerializable(typeof(EmbeddedContactPoint))]
[JsonSerializable(typeof(List<EmbeddedContactPoint>))]
[JsonSerializable(typeof(NotificationRoute))]
[JsonSerializable(typeof(List<NotificationTemplate>))]
[JsonSerializable(typeof(NotificationTemplateContent))]
[JsonSerializable(typeof(MuteTiming))]
[JsonSerializable(typeof(List<MuteTiming>))]
internal sealed partial class GrafanaJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// AppAlert declares one app's Grafana alert rules against its environment's MetricsStack. It lives in the
/// app's namespace and becomes one rule group in the app's Grafana folder; deleting it removes the group.
/// </summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "AppAlert", PluralName = "appalerts")]
[ShortName("appalert")]
[PrinterColumn(0, "Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", Description = "Whether the rules are valid and in Grafana.")]
[PrinterColumn(1, "Reason", "string", ".status.conditions[?(@.type==\"Ready\")].reason", Description = "Why they are or are not.")]
[PrinterColumn(2, "Rules", "integer", ".status.ruleCount", Description = "How many rules the spec declares.")]
[PrinterColumn(3, "Synced", "integer", ".status.syncedCount", Description = "How many of them Grafana holds as declared.")]
[PrinterColumn(4, "Age", "date", ".metadata.creationTimestamp")]
public sealed class V1Alpha1AppAlert : IKubernetesObject<V1ObjectMeta>, ISpec<AppAlertSpec>, IStatus<AppAlertStatus>
{
    /// <summary>APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    /// <summary>Kind is a string value representing the REST resource this object represents. In CamelCase.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "AppAlert";

    /// <summary>Standard object metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The desired alert rules.</summary>
    [Required]
    [JsonPropertyName("spec")]
    public AppAlertSpec Spec { get; set; } = new();

    /// <summary>The rules as Grafana holds them, written by the operator.</summary>
    [JsonPropertyName("status")]
    public AppAlertStatus Status { get; set; } = new();
}

/// <summary>A list of AppAlerts.</summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "AppAlertList", PluralName = "appalerts")]
public sealed class V1Alpha1AppAlertList : IKubernetesObject<V1ListMeta>, IItems<V1Alpha1AppAlert>
{
    /// <summary>APIVersion of the list.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    /// <summary>Kind of the list.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "AppAlertList";

    /// <summary>Standard list metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    /// <summary>The AppAlerts.</summary>
    [JsonPropertyName("items")]
    public IList<V1Alpha1AppAlert> Items { get; set; } = [];
}

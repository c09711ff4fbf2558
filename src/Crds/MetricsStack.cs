using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// MetricsStack is one environment's application-metrics stack: InfluxDB v2 with one shared bucket kept
/// forever, Telegraf in front of it, Grafana for dashboards and all alerting, and backups. One per environment,
/// usually in the namespace metrics.
/// </summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "MetricsStack", PluralName = "metricsstacks")]
[ShortName("mstack")]
[PrinterColumn(0, "Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", Description = "Whether the whole stack is ready.")]
[PrinterColumn(1, "Reason", "string", ".status.conditions[?(@.type==\"Ready\")].reason", Description = "Why it is or is not ready.")]
[PrinterColumn(2, "Bucket", "string", ".status.bucket.name", Description = "The shared InfluxDB bucket.")]
[PrinterColumn(3, "Endpoint", "string", ".status.endpoints.write", Description = "Where apps write line protocol.")]
[PrinterColumn(4, "Age", "date", ".metadata.creationTimestamp")]
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "The kind is called MetricsStack; it is not a stack collection.")]
public sealed class V1Alpha1MetricsStack : IKubernetesObject<V1ObjectMeta>, ISpec<MetricsStackSpec>, IStatus<MetricsStackStatus>
{
    /// <summary>APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    /// <summary>Kind is a string value representing the REST resource this object represents. In CamelCase.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "MetricsStack";

    /// <summary>Standard object metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The desired stack. Every field has a default, so an empty spec gives a working stack.</summary>
    [JsonPropertyName("spec")]
    [DefaultEmptyObject]
    public MetricsStackSpec Spec { get; set; } = new();

    /// <summary>The observed stack, written by the operator.</summary>
    [JsonPropertyName("status")]
    public MetricsStackStatus Status { get; set; } = new();
}

/// <summary>A list of MetricsStacks.</summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = "MetricsStackList", PluralName = "metricsstacks")]
public sealed class V1Alpha1MetricsStackList : IKubernetesObject<V1ListMeta>, IItems<V1Alpha1MetricsStack>
{
    /// <summary>APIVersion of the list.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    /// <summary>Kind of the list.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "MetricsStackList";

    /// <summary>Standard list metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    /// <summary>The MetricsStacks.</summary>
    [JsonPropertyName("items")]
    public IList<V1Alpha1MetricsStack> Items { get; set; } = [];
}

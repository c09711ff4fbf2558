using System.Text.Json.Serialization;
using k8s.Models;

namespace MetricsOperator.Crds;

/// <summary>
/// Compute resources for a container, as in a Pod's <c>resources</c> (requests and limits only).
/// Keys are resource names such as <c>cpu</c> and <c>memory</c>; values are quantities such as <c>500m</c> or <c>1Gi</c>.
/// </summary>
public sealed class ResourceRequirements
{
    /// <summary>The resources the scheduler reserves for the container, e.g. <c>cpu: 100m</c>, <c>memory: 256Mi</c>.</summary>
    [JsonPropertyName("requests")]
    public IDictionary<string, ResourceQuantity>? Requests { get; set; }

    /// <summary>The most the container may use; above the memory limit it is killed, above the cpu limit it is throttled.</summary>
    [JsonPropertyName("limits")]
    public IDictionary<string, ResourceQuantity>? Limits { get; set; }
}

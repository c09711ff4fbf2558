using System.Text.Json.Serialization;
using k8s.Models;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// Where a component's pods run and what extra annotations they carry: copied into the pod template as given.
/// The same section for InfluxDB, Telegraf and Grafana (managed mode).
/// </summary>
public sealed class PodSettings
{
    /// <summary>Labels a node must have for the pods to be scheduled on it (the pod's <c>nodeSelector</c>).</summary>
    [JsonPropertyName("nodeSelector")]
    public IDictionary<string, string>? NodeSelector { get; set; }

    /// <summary>
    /// Taints the pods tolerate (the pod's <c>tolerations</c>), as core/v1 Toleration: key, operator (Exists or
    /// Equal), value, effect (NoSchedule, PreferNoSchedule, NoExecute), tolerationSeconds.
    /// </summary>
    [JsonPropertyName("tolerations")]
    public IList<V1Toleration>? Tolerations { get; set; }

    /// <summary>
    /// The pod's scheduling constraints (the pod's <c>affinity</c>): nodeAffinity, podAffinity, podAntiAffinity,
    /// as core/v1 Affinity (see <c>kubectl explain pod.spec.affinity</c>). Not validated by this CRD: the API
    /// server checks it when the operator applies the pod template, and a refusal shows in the stack's status.
    /// </summary>
    [JsonPropertyName("affinity")]
    public V1Affinity? Affinity { get; set; }

    /// <summary>Name of the PriorityClass of the pods (the pod's <c>priorityClassName</c>); it must exist.</summary>
    [JsonPropertyName("priorityClassName")]
    [Pattern(Patterns.ObjectName)]
    [MaxLength(253)]
    public string? PriorityClassName { get; set; }

    /// <summary>
    /// Annotations added to the pod template (e.g. for a service mesh or a log shipper). Keys under
    /// <c>metrics.lsst.io/</c> are the operator's own (config-hash, token revisions) and are refused (InvalidSpec).
    /// </summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }
}

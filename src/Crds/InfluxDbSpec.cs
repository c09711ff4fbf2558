using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>The InfluxDB v2 server: one organization, one shared bucket, its volume.</summary>
public sealed class InfluxDbSpec
{
    /// <summary>Container image of InfluxDB 2.7 or later.</summary>
    [JsonPropertyName("image")]
    [Default("docker.io/library/influxdb:2.7.12-alpine")]
    [Pattern(Patterns.Image)]
    public string? Image { get; set; }

    /// <summary>Name of the InfluxDB organization created at setup. Changing it after setup has no effect.</summary>
    [JsonPropertyName("organization")]
    [Default("rubin")]
    [MinLength(1)]
    [MaxLength(64)]
    public string? Organization { get; set; }

    /// <summary>Name of the one bucket every app writes to. Changing it after setup creates a new, empty bucket; the old one is kept.</summary>
    [JsonPropertyName("bucket")]
    [Default("metrics")]
    [MinLength(1)]
    [MaxLength(64)]
    [Pattern("^[^_\\s][^\\s]*$")]
    public string? Bucket { get; set; }

    /// <summary>
    /// How long the bucket keeps data, as a duration with units w, d, h, m, s (e.g. <c>720h</c>, <c>52w</c>).
    /// <c>0s</c> (the default) keeps data forever; other values must be at least <c>1h</c>, InfluxDB's minimum.
    /// </summary>
    [JsonPropertyName("retention")]
    [Default("0s")]
    [Pattern(Patterns.Duration)]
    public string? Retention { get; set; }

    /// <summary>The volume InfluxDB stores its data on.</summary>
    [JsonPropertyName("storage")]
    [DefaultEmptyObject]
    public StorageSpec? Storage { get; set; }

    /// <summary>
    /// What happens to the data volume when the MetricsStack is deleted: Retain (the default) keeps the
    /// PersistentVolumeClaim and so the bucket; Delete removes it with the stack.
    /// </summary>
    [JsonPropertyName("deletionPolicy")]
    [Default("Retain")]
    public DeletionPolicy? DeletionPolicy { get; set; }

    /// <summary>
    /// A Secret holding the admin credentials under the keys <c>admin-password</c> and <c>admin-token</c>
    /// (e.g. made by a Phalanx VaultSecret). Left out, the operator generates them into a Secret of its own
    /// before setting InfluxDB up and names it in status.
    /// </summary>
    [JsonPropertyName("existingAdminSecret")]
    public SecretReference? ExistingAdminSecret { get; set; }

    /// <summary>
    /// The URL an external Grafana reaches this InfluxDB at (e.g. <c>https://data-idfdev.example.org/influxdb</c>): the
    /// operator writes it into the environment's datasources it keeps in that Grafana. Default: the URL of
    /// spec.influxdb.ingress when set (its host must then be this URL's host), else the in-cluster Service URL, which
    /// only a Grafana running in this cluster reaches. Unused with a managed Grafana.
    /// </summary>
    [JsonPropertyName("externalUrl")]
    [Pattern(Patterns.HttpUrl)]
    public string? ExternalUrl { get; set; }

    /// <summary>An Ingress for InfluxDB's API, for a Grafana outside the cluster. None by default.</summary>
    [JsonPropertyName("ingress")]
    public InfluxDbIngressSpec? Ingress { get; set; }

    /// <summary>Compute resources of the InfluxDB container.</summary>
    [JsonPropertyName("resources")]
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Placement and scheduling of the InfluxDB pod: nodeSelector, tolerations, affinity, priorityClassName, annotations.</summary>
    [JsonPropertyName("pod")]
    public PodSettings? Pod { get; set; }
}

/// <summary>What happens to stored data when its MetricsStack is deleted.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeletionPolicy>))]
public enum DeletionPolicy
{
    /// <summary>Keep the volume (and so the bucket) after the stack is deleted.</summary>
    Retain,

    /// <summary>Delete the volume with the stack.</summary>
    Delete,
}

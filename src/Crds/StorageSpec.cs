using System.Text.Json.Serialization;
using k8s.Models;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>The PersistentVolumeClaim that holds InfluxDB's data.</summary>
public sealed class StorageSpec
{
    /// <summary>Size of the volume, a quantity such as <c>100Gi</c>. It can grow later if the storage class allows expansion; it never shrinks.</summary>
    [JsonPropertyName("size")]
    [Default("100Gi")]
    public ResourceQuantity? Size { get; set; }

    /// <summary>
    /// StorageReady turns False (reason <c>StorageNearlyFull</c>, with a Warning Event) when InfluxDB's data uses this
    /// share of the volume, in percent.
    /// </summary>
    [JsonPropertyName("warnAtPercent")]
    [Default(80)]
    [Minimum(1)]
    [Maximum(100)]
    public int? WarnAtPercent { get; set; }

    /// <summary>StorageClass of the volume. Left out, the cluster's default StorageClass is used.</summary>
    [JsonPropertyName("storageClassName")]
    [Pattern(Patterns.ObjectName)]
    [MaxLength(253)]
    public string? StorageClassName { get; set; }
}

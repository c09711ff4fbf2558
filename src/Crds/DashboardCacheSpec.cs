using System.Text.Json.Serialization;
using k8s.Models;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// Trickster, a time-series delta proxy cache, between the managed Grafana's dashboards and InfluxDB: a dashboard over
/// a long range asks InfluxDB only for the part of the range Trickster has not seen yet. Only the InfluxQL datasource
/// is cached (as a second datasource, made the default for dashboards); alert rules and the Flux datasource always
/// query InfluxDB directly. Needs the managed Grafana and the InfluxQL datasource.
/// </summary>
public sealed class DashboardCacheSpec
{
    /// <summary>Run Trickster and make the cached datasource Grafana's default. Setting it back to false removes Trickster and the cached datasource.</summary>
    [JsonPropertyName("enabled")]
    [Default(false)]
    public bool? Enabled { get; set; }

    /// <summary>Container image of Trickster 2.x.</summary>
    [JsonPropertyName("image")]
    [Default("docker.io/trickstercache/trickster:2.0.5")]
    [Pattern(Patterns.Image)]
    public string? Image { get; set; }

    /// <summary>Number of Trickster pods. Each memory cache is its own; a filesystem or bbolt cache lives on one claim, so it allows only 1.</summary>
    [JsonPropertyName("replicas")]
    [Default(1)]
    [Minimum(1)]
    [Maximum(10)]
    public int? Replicas { get; set; }

    /// <summary>Where Trickster keeps what it caches: memory (the default, emptied when the pod restarts), filesystem or bbolt (on a claim of size, kept across restarts).</summary>
    [JsonPropertyName("kind")]
    [Default("memory")]
    public DashboardCacheKind? Kind { get; set; }

    /// <summary>
    /// The most the cache holds, a quantity such as <c>512Mi</c>: Trickster evicts the least recently used entries
    /// above it. For memory it must be below the memory limit; for filesystem and bbolt it is also the claim's size.
    /// </summary>
    [JsonPropertyName("size")]
    [Default("256Mi")]
    public ResourceQuantity? Size { get; set; }

    /// <summary>StorageClass of the claim of a filesystem or bbolt cache. Left out, the cluster's default StorageClass is used.</summary>
    [JsonPropertyName("storageClassName")]
    [Pattern(Patterns.ObjectName)]
    [MaxLength(253)]
    public string? StorageClassName { get; set; }

    /// <summary>
    /// The largest range cached per query, in points (Trickster's <c>timeseries_retention_factor</c>): Trickster keeps
    /// this many of a query's newest timestamps and fetches anything older from InfluxDB on every refresh. Grafana asks
    /// for about one point per pixel of a panel's width, so 2048 covers a full-width panel.
    /// </summary>
    [JsonPropertyName("maxPointsPerQuery")]
    [Default(2048)]
    [Minimum(1)]
    [Maximum(100000)]
    public int? MaxPointsPerQuery { get; set; }

    /// <summary>Compute resources of the Trickster container.</summary>
    [JsonPropertyName("resources")]
    public ResourceRequirements? Resources { get; set; }
}

/// <summary>Where Trickster keeps its cache.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DashboardCacheKind>))]
public enum DashboardCacheKind
{
    /// <summary>In the pod's memory; emptied when the pod restarts.</summary>
    [JsonStringEnumMemberName("memory")]
    Memory,

    /// <summary>One file per cached object on a PersistentVolumeClaim.</summary>
    [JsonStringEnumMemberName("filesystem")]
    Filesystem,

    /// <summary>A single bbolt database file on a PersistentVolumeClaim.</summary>
    [JsonStringEnumMemberName("bbolt")]
    Bbolt,
}

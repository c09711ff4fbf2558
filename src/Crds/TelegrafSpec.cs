using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>The Telegraf deployment between the apps and InfluxDB.</summary>
public sealed class TelegrafSpec
{
    /// <summary>Container image of Telegraf.</summary>
    [JsonPropertyName("image")]
    [Default("docker.io/library/telegraf:1.39")]
    [Pattern(Patterns.Image)]
    public string? Image { get; set; }

    /// <summary>Number of Telegraf pods behind the listener Service. With the disk buffer each pod has its own buffer.</summary>
    [JsonPropertyName("replicas")]
    [Default(1)]
    [Minimum(1)]
    [Maximum(20)]
    public int? Replicas { get; set; }

    /// <summary>Port of the InfluxDB v2 line-protocol listener apps write to (Telegraf's influxdb_v2_listener).</summary>
    [JsonPropertyName("listenerPort")]
    [Default(8186)]
    [Minimum(1024)]
    [Maximum(65535)]
    public int? ListenerPort { get; set; }

    /// <summary>Who may write to the listener: the token it requires and the namespaces it is handed to.</summary>
    [JsonPropertyName("writeAccess")]
    [DefaultEmptyObject]
    public WriteAccessSpec? WriteAccess { get; set; }

    /// <summary>
    /// Telegraf's disk buffer (<c>buffer_strategy = "disk"</c>): metrics survive an InfluxDB outage or a Telegraf
    /// restart. The lighter alternative to Kafka.
    /// </summary>
    [JsonPropertyName("diskBuffer")]
    [DefaultEmptyObject]
    public DiskBufferSpec? DiskBuffer { get; set; }

    /// <summary>Kafka topics Telegraf also consumes (kafka_consumer), so apps already writing to Kafka need no change. Left out, no Kafka.</summary>
    [JsonPropertyName("kafka")]
    public KafkaSpec? Kafka { get; set; }

    /// <summary>Compute resources of each Telegraf container.</summary>
    [JsonPropertyName("resources")]
    public ResourceRequirements? Resources { get; set; }
}

/// <summary>Telegraf's write buffer on disk instead of memory.</summary>
public sealed class DiskBufferSpec
{
    /// <summary>Buffer on disk (true) or in memory (false, the default).</summary>
    [JsonPropertyName("enabled")]
    [Default(false)]
    public bool? Enabled { get; set; }

    /// <summary>Size of each pod's buffer volume, a quantity such as <c>1Gi</c>.</summary>
    [JsonPropertyName("size")]
    [Default("1Gi")]
    public k8s.Models.ResourceQuantity? Size { get; set; }
}

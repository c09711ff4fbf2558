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

    /// <summary>Telegraf's [agent] options: batch size, buffer, flush timing. The defaults suit one shared bucket.</summary>
    [JsonPropertyName("agent")]
    [DefaultEmptyObject]
    public TelegrafAgentSpec? Agent { get; set; }

    /// <summary>
    /// Telegraf's own health ([[inputs.internal]]): gathered, written and dropped counts per plugin, written to the
    /// bucket under their own measurement prefix. On by default.
    /// </summary>
    [JsonPropertyName("internalMetrics")]
    [DefaultEmptyObject]
    public InternalMetricsSpec? InternalMetrics { get; set; }

    /// <summary>
    /// Kafka topics Telegraf also consumes (kafka_consumer), so apps already publishing to Kafka (Safir's metrics
    /// events) need no change. Left out, no Kafka. See docs/kafka.md.
    /// </summary>
    [JsonPropertyName("kafka")]
    public KafkaSpec? Kafka { get; set; }

    /// <summary>Compute resources of each Telegraf container.</summary>
    [JsonPropertyName("resources")]
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Placement and scheduling of the Telegraf pods: nodeSelector, tolerations, affinity, priorityClassName, annotations.</summary>
    [JsonPropertyName("pod")]
    public PodSettings? Pod { get; set; }
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

/// <summary>Telegraf's [agent] table: how metrics are batched, buffered and flushed to InfluxDB.</summary>
public sealed class TelegrafAgentSpec
{
    /// <summary>Points per write to InfluxDB (metric_batch_size); 5000 is InfluxDB's own advice.</summary>
    [JsonPropertyName("metricBatchSize")]
    [Default(5000)]
    [Minimum(1)]
    [Maximum(100000)]
    public int? MetricBatchSize { get; set; }

    /// <summary>Unwritten points kept per output (metric_buffer_limit); the oldest are dropped beyond it. At least metricBatchSize.</summary>
    [JsonPropertyName("metricBufferLimit")]
    [Default(100000)]
    [Minimum(1)]
    [Maximum(100000000)]
    public int? MetricBufferLimit { get; set; }

    /// <summary>How often the output flushes (flush_interval), a duration such as <c>10s</c>.</summary>
    [JsonPropertyName("flushInterval")]
    [Default("10s")]
    [Pattern(Patterns.TelegrafDuration)]
    public string? FlushInterval { get; set; }

    /// <summary>Random delay added to each flush (flush_jitter), so replicas do not write at once.</summary>
    [JsonPropertyName("flushJitter")]
    [Default("0s")]
    [Pattern(Patterns.TelegrafDuration)]
    public string? FlushJitter { get; set; }

    /// <summary>How often polled inputs such as internal gather (interval).</summary>
    [JsonPropertyName("interval")]
    [Default("10s")]
    [Pattern(Patterns.TelegrafDuration)]
    public string? Interval { get; set; }

    /// <summary>Random delay added to each gathering (collection_jitter).</summary>
    [JsonPropertyName("collectionJitter")]
    [Default("0s")]
    [Pattern(Patterns.TelegrafDuration)]
    public string? CollectionJitter { get; set; }
}

/// <summary>Telegraf's internal input: its own counters, in the bucket.</summary>
public sealed class InternalMetricsSpec
{
    /// <summary>Collect Telegraf's own metrics (true, the default) or not.</summary>
    [JsonPropertyName("enabled")]
    [Default(true)]
    public bool? Enabled { get; set; }

    /// <summary>Prefix of their measurement names (name_prefix): <c>telegraf_internal_write</c> and so on.</summary>
    [JsonPropertyName("measurementPrefix")]
    [Default("telegraf_")]
    [Pattern("^[A-Za-z_][A-Za-z0-9_.-]*$")]
    [MaxLength(64)]
    public string? MeasurementPrefix { get; set; }

    /// <summary>Also collect Telegraf's Go memory statistics (collect_memstats).</summary>
    [JsonPropertyName("collectMemstats")]
    [Default(true)]
    public bool? CollectMemstats { get; set; }
}

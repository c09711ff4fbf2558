using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>Kafka topics Telegraf consumes in addition to its listener.</summary>
public sealed class KafkaSpec
{
    /// <summary>Kafka bootstrap brokers as host:port.</summary>
    [Required]
    [JsonPropertyName("brokers")]
    [MinItems(1)]
    public IList<string> Brokers { get; set; } = [];

    /// <summary>Topics to consume.</summary>
    [Required]
    [JsonPropertyName("topics")]
    [MinItems(1)]
    public IList<string> Topics { get; set; } = [];

    /// <summary>Kafka consumer group Telegraf's pods share, so each message is written once.</summary>
    [JsonPropertyName("consumerGroup")]
    [Default("telegraf-metrics")]
    [MinLength(1)]
    [MaxLength(249)]
    public string? ConsumerGroup { get; set; }

    /// <summary>Format of the messages: influx (line protocol, the default), json or json_v2.</summary>
    [JsonPropertyName("dataFormat")]
    [Default("influx")]
    public KafkaDataFormat? DataFormat { get; set; }

    /// <summary>SASL authentication to the brokers. Left out, none.</summary>
    [JsonPropertyName("sasl")]
    public KafkaSaslSpec? Sasl { get; set; }

    /// <summary>TLS to the brokers. Left out, plain text.</summary>
    [JsonPropertyName("tls")]
    public KafkaTlsSpec? Tls { get; set; }
}

/// <summary>SASL authentication to Kafka.</summary>
public sealed class KafkaSaslSpec
{
    /// <summary>SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (the default).</summary>
    [JsonPropertyName("mechanism")]
    [Default("SCRAM-SHA-512")]
    public SaslMechanism? Mechanism { get; set; }

    /// <summary>Secret holding the keys <c>username</c> and <c>password</c>.</summary>
    [Required]
    [JsonPropertyName("secret")]
    public SecretReference Secret { get; set; } = new();
}

/// <summary>TLS to Kafka.</summary>
public sealed class KafkaTlsSpec
{
    /// <summary>Secret holding <c>ca.crt</c> to verify the brokers, and <c>tls.crt</c> and <c>tls.key</c> when the brokers want a client certificate.</summary>
    [Required]
    [JsonPropertyName("secret")]
    public SecretReference Secret { get; set; } = new();
}

/// <summary>How Kafka messages are parsed (Telegraf's data_format).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KafkaDataFormat>))]
public enum KafkaDataFormat
{
    /// <summary>InfluxDB line protocol.</summary>
    [JsonStringEnumMemberName("influx")]
    Influx,

    /// <summary>Telegraf's original JSON parser.</summary>
    [JsonStringEnumMemberName("json")]
    Json,

    /// <summary>Telegraf's configurable JSON parser.</summary>
    [JsonStringEnumMemberName("json_v2")]
    JsonV2,
}

/// <summary>A SASL mechanism Kafka and Telegraf both support.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SaslMechanism>))]
public enum SaslMechanism
{
    /// <summary>User name and password in the clear (use with TLS).</summary>
    [JsonStringEnumMemberName("PLAIN")]
    Plain,

    /// <summary>SCRAM with SHA-256.</summary>
    [JsonStringEnumMemberName("SCRAM-SHA-256")]
    ScramSha256,

    /// <summary>SCRAM with SHA-512.</summary>
    [JsonStringEnumMemberName("SCRAM-SHA-512")]
    ScramSha512,
}

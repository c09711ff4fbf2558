using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// Kafka topics Telegraf consumes in addition to its listener: one connection (brokers, credentials, TLS, schema
/// registry) shared by a list of consumers, each rendered as its own <c>[[inputs.kafka_consumer]]</c>.
/// </summary>
public sealed class KafkaSpec
{
    /// <summary>Kafka bootstrap brokers as host:port.</summary>
    [Required]
    [JsonPropertyName("brokers")]
    [MinItems(1)]
    public IList<string> Brokers { get; set; } = [];

    /// <summary>
    /// Version of the brokers' Kafka protocol Telegraf may use (kafka_version), e.g. <c>3.9.0</c>; pin it to the
    /// brokers' version. Left out, Telegraf's default (0.10.2.0).
    /// </summary>
    [JsonPropertyName("kafkaVersion")]
    [Pattern(@"^[0-9]+\.[0-9]+\.[0-9]+(\.[0-9]+)?$")]
    public string? KafkaVersion { get; set; }

    /// <summary>SASL authentication to the brokers. Left out, none.</summary>
    [JsonPropertyName("sasl")]
    public KafkaSaslSpec? Sasl { get; set; }

    /// <summary>TLS to the brokers. Left out, plain text.</summary>
    [JsonPropertyName("tls")]
    public KafkaTlsSpec? Tls { get; set; }

    /// <summary>The Confluent-compatible schema registry the avro consumers read their schemas from.</summary>
    [JsonPropertyName("schemaRegistry")]
    public SchemaRegistrySpec? SchemaRegistry { get; set; }

    /// <summary>The consumers: one per app (or group of topics) with its own parsing rules.</summary>
    [Required]
    [JsonPropertyName("consumers")]
    [MinItems(1)]
    [MaxItems(64)]
    [ListMap("name")]
    public IList<KafkaConsumerSpec> Consumers { get; set; } = [];
}

/// <summary>SASL authentication to Kafka, shaped like a Strimzi KafkaUser and its Secret.</summary>
public sealed class KafkaSaslSpec
{
    /// <summary>SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (the default, Strimzi's scram-sha-512).</summary>
    [JsonPropertyName("mechanism")]
    [Default("SCRAM-SHA-512")]
    public SaslMechanism? Mechanism { get; set; }

    /// <summary>
    /// The user name, written into telegraf.conf as is. For a Strimzi KafkaUser it is the KafkaUser's name. Set this
    /// or <c>usernameKey</c>.
    /// </summary>
    [JsonPropertyName("username")]
    [MinLength(1)]
    [MaxLength(253)]
    public string? Username { get; set; }

    /// <summary>The key of <c>secret</c> holding the user name, when it comes from the Secret. Set this or <c>username</c>.</summary>
    [JsonPropertyName("usernameKey")]
    [Pattern(Patterns.SecretKey)]
    [MaxLength(253)]
    public string? UsernameKey { get; set; }

    /// <summary>The Secret holding the password (for a Strimzi KafkaUser, the Secret named after the user).</summary>
    [Required]
    [JsonPropertyName("secret")]
    public SecretReference Secret { get; set; } = new();

    /// <summary>The key of <c>secret</c> holding the password; Strimzi's is <c>password</c>.</summary>
    [JsonPropertyName("passwordKey")]
    [Default("password")]
    [Pattern(Patterns.SecretKey)]
    [MaxLength(253)]
    public string? PasswordKey { get; set; }
}

/// <summary>TLS to Kafka: the CA that signed the brokers' certificates and, optionally, a client certificate.</summary>
public sealed class KafkaTlsSpec
{
    /// <summary>
    /// The Secret holding the CA certificate that verifies the brokers (Strimzi's <c>&lt;cluster&gt;-cluster-ca-cert</c>).
    /// Left out, the system's CAs.
    /// </summary>
    [JsonPropertyName("caSecret")]
    public SecretReference? CaSecret { get; set; }

    /// <summary>The key of <c>caSecret</c> holding the CA certificate (PEM); Strimzi's is <c>ca.crt</c>.</summary>
    [JsonPropertyName("caKey")]
    [Default("ca.crt")]
    [Pattern(Patterns.SecretKey)]
    [MaxLength(253)]
    public string? CaKey { get; set; }

    /// <summary>
    /// The Secret holding a client certificate and its key, for brokers that authenticate clients by certificate (a
    /// Strimzi KafkaUser with <c>authentication.type: tls</c>). Left out, no client certificate.
    /// </summary>
    [JsonPropertyName("clientSecret")]
    public SecretReference? ClientSecret { get; set; }

    /// <summary>The key of <c>clientSecret</c> holding the client certificate (PEM); Strimzi's is <c>user.crt</c>.</summary>
    [JsonPropertyName("certKey")]
    [Default("user.crt")]
    [Pattern(Patterns.SecretKey)]
    [MaxLength(253)]
    public string? CertKey { get; set; }

    /// <summary>The key of <c>clientSecret</c> holding the client certificate's private key (PEM); Strimzi's is <c>user.key</c>.</summary>
    [JsonPropertyName("keyKey")]
    [Default("user.key")]
    [Pattern(Patterns.SecretKey)]
    [MaxLength(253)]
    public string? KeyKey { get; set; }
}

/// <summary>A Confluent-compatible schema registry (Avro schemas by ID).</summary>
public sealed class SchemaRegistrySpec
{
    /// <summary>URL of the registry, e.g. <c>http://sasquatch-schema-registry.sasquatch:8081</c>, without credentials.</summary>
    [Required]
    [JsonPropertyName("url")]
    [Pattern(@"^https?://[^\s@]+$")]
    [MaxLength(2048)]
    public string Url { get; set; } = "";

    /// <summary>
    /// The Secret holding the registry's user name and password, when it wants basic authentication. Telegraf takes
    /// them inside the URL, so they must be URL-safe (percent-encode reserved characters). Left out, none.
    /// </summary>
    [JsonPropertyName("credentialsSecret")]
    public SecretReference? CredentialsSecret { get; set; }

    /// <summary>The key of <c>credentialsSecret</c> holding the user name.</summary>
    [JsonPropertyName("usernameKey")]
    [Default("username")]
    [Pattern(Patterns.SecretKey)]
    [MaxLength(253)]
    public string? UsernameKey { get; set; }

    /// <summary>The key of <c>credentialsSecret</c> holding the password.</summary>
    [JsonPropertyName("passwordKey")]
    [Default("password")]
    [Pattern(Patterns.SecretKey)]
    [MaxLength(253)]
    public string? PasswordKey { get; set; }

    /// <summary>The Secret holding the CA certificate that verifies an https registry. Left out, the system's CAs.</summary>
    [JsonPropertyName("caSecret")]
    public SecretReference? CaSecret { get; set; }

    /// <summary>The key of <c>caSecret</c> holding the CA certificate (PEM).</summary>
    [JsonPropertyName("caKey")]
    [Default("ca.crt")]
    [Pattern(Patterns.SecretKey)]
    [MaxLength(253)]
    public string? CaKey { get; set; }
}

/// <summary>One kafka_consumer: which topics, as which group, and how its messages become points.</summary>
public sealed class KafkaConsumerSpec
{
    /// <summary>Name of the consumer, usually the app's (Telegraf's alias for the plugin instance, shown in its logs and internal metrics).</summary>
    [Required]
    [JsonPropertyName("name")]
    [Pattern(Patterns.DnsLabel)]
    [MaxLength(63)]
    public string Name { get; set; } = "";

    /// <summary>Topics to consume, by name. Set this, <c>topicRegexps</c>, or both.</summary>
    [JsonPropertyName("topics")]
    public IList<string>? Topics { get; set; }

    /// <summary>Regular expressions (Go syntax) of topics to consume as well, e.g. <c>^lsst\.square\.app-metrics\.events\..*</c>.</summary>
    [JsonPropertyName("topicRegexps")]
    public IList<string>? TopicRegexps { get; set; }

    /// <summary>A tag, of this name, holding each point's topic (topic_tag). Left out, no such tag.</summary>
    [JsonPropertyName("topicTag")]
    [Pattern("^[A-Za-z_][A-Za-z0-9_.-]*$")]
    [MaxLength(128)]
    public string? TopicTag { get; set; }

    /// <summary>Kafka consumer group Telegraf's pods share for these topics, so each message is written once.</summary>
    [JsonPropertyName("consumerGroup")]
    [Default("telegraf-metrics")]
    [MinLength(1)]
    [MaxLength(249)]
    public string? ConsumerGroup { get; set; }

    /// <summary>Where a group with no committed offset starts: oldest (the default, nothing kept by Kafka is skipped) or newest.</summary>
    [JsonPropertyName("offset")]
    [Default("oldest")]
    public KafkaOffset? Offset { get; set; }

    /// <summary>Messages read but not yet written to InfluxDB, at most (max_undelivered_messages); keep it near the agent's metricBatchSize.</summary>
    [JsonPropertyName("maxUndeliveredMessages")]
    [Default(10000)]
    [Minimum(1)]
    [Maximum(1000000)]
    public int? MaxUndeliveredMessages { get; set; }

    /// <summary>How long the consumer may take to process messages (max_processing_time), a duration such as <c>5s</c>.</summary>
    [JsonPropertyName("maxProcessingTime")]
    [Default("5s")]
    [Pattern(Patterns.TelegrafDuration)]
    public string? MaxProcessingTime { get; set; }

    /// <summary>Bytes fetched from a broker per request (consumer_fetch_default), a size such as <c>5MB</c>; larger than most messages.</summary>
    [JsonPropertyName("consumerFetchDefault")]
    [Default("5MB")]
    [Pattern(Patterns.TelegrafSize)]
    public string? ConsumerFetchDefault { get; set; }

    /// <summary>Compression codec of the messages (compression_codec): none, gzip, snappy, lz4 or zstd. Left out, Telegraf's default (none).</summary>
    [JsonPropertyName("compressionCodec")]
    public KafkaCompressionCodec? CompressionCodec { get; set; }

    /// <summary>Largest message consumed, in bytes (max_message_len); larger ones are dropped. 0 is unlimited.</summary>
    [JsonPropertyName("maxMessageLen")]
    [Default(1000000)]
    [Minimum(0)]
    public int? MaxMessageLen { get; set; }

    /// <summary>Format of the messages: avro (Confluent wire format, schema from the registry), json, json_v2 or influx (line protocol).</summary>
    [Required]
    [JsonPropertyName("dataFormat")]
    public KafkaDataFormat DataFormat { get; set; }

    /// <summary>Options of the avro parser; only with dataFormat avro.</summary>
    [JsonPropertyName("avro")]
    public AvroParserSpec? Avro { get; set; }

    /// <summary>Options of the json parser; only with dataFormat json.</summary>
    [JsonPropertyName("json")]
    public JsonParserSpec? Json { get; set; }

    /// <summary>The json_v2 parser's tables; required with dataFormat json_v2 (without one Telegraf would drop every message).</summary>
    [JsonPropertyName("jsonV2")]
    public IList<JsonV2TableSpec>? JsonV2 { get; set; }

    /// <summary>Options of the influx (line protocol) parser; only with dataFormat influx.</summary>
    [JsonPropertyName("influx")]
    public InfluxParserSpec? Influx { get; set; }

    /// <summary>Tags added to every point of this consumer, e.g. <c>{source: kafka}</c>.</summary>
    [JsonPropertyName("tags")]
    public IDictionary<string, string>? Tags { get; set; }
}

/// <summary>Telegraf's avro parser: how an Avro record becomes a point.</summary>
public sealed class AvroParserSpec
{
    /// <summary>The record field holding the point's time (avro_timestamp); Safir's is <c>timestamp_ns</c>. Left out, the time of ingestion.</summary>
    [JsonPropertyName("timestamp")]
    [MinLength(1)]
    public string? Timestamp { get; set; }

    /// <summary>Unit of the timestamp field (avro_timestamp_format): unix, unix_ms, unix_us or unix_ns.</summary>
    [JsonPropertyName("timestampFormat")]
    public AvroTimestampFormat? TimestampFormat { get; set; }

    /// <summary>How union types are read (avro_union_mode): flatten, nullable (Safir's optional fields) or any.</summary>
    [JsonPropertyName("unionMode")]
    public AvroUnionMode? UnionMode { get; set; }

    /// <summary>Record fields that become tags (avro_tags), e.g. <c>[application, username]</c>.</summary>
    [JsonPropertyName("tags")]
    public IList<string>? Tags { get; set; }

    /// <summary>Record fields that become fields (avro_fields). Left out, every field that is not a tag.</summary>
    [JsonPropertyName("fields")]
    public IList<string>? Fields { get; set; }

    /// <summary>A fixed measurement name (avro_measurement). Left out, the schema's full name (namespace.name).</summary>
    [JsonPropertyName("measurement")]
    [MinLength(1)]
    public string? Measurement { get; set; }

    /// <summary>A record field whose value is the measurement name (avro_measurement_field); wins over <c>measurement</c>.</summary>
    [JsonPropertyName("measurementField")]
    [MinLength(1)]
    public string? MeasurementField { get; set; }

    /// <summary>Separator between the parts of flattened arrays and records (avro_field_separator).</summary>
    [JsonPropertyName("fieldSeparator")]
    public string? FieldSeparator { get; set; }
}

/// <summary>Telegraf's json parser: keys that become tags, string fields, the name and the time.</summary>
public sealed class JsonParserSpec
{
    /// <summary>Keys that become tags (tag_keys); glob patterns allowed.</summary>
    [JsonPropertyName("tagKeys")]
    public IList<string>? TagKeys { get; set; }

    /// <summary>Keys kept as string fields (json_string_fields); without them strings are dropped.</summary>
    [JsonPropertyName("stringFields")]
    public IList<string>? StringFields { get; set; }

    /// <summary>The key whose value is the measurement name (json_name_key).</summary>
    [JsonPropertyName("nameKey")]
    [MinLength(1)]
    public string? NameKey { get; set; }

    /// <summary>The key holding the point's time (json_time_key). Left out, the time of ingestion.</summary>
    [JsonPropertyName("timeKey")]
    [MinLength(1)]
    public string? TimeKey { get; set; }

    /// <summary>Format of the time key (json_time_format): unix, unix_ms, unix_us, unix_ns or a Go reference-time layout.</summary>
    [JsonPropertyName("timeFormat")]
    [MinLength(1)]
    public string? TimeFormat { get; set; }

    /// <summary>Time zone of times without an offset (json_timezone), e.g. <c>UTC</c>.</summary>
    [JsonPropertyName("timezone")]
    [MinLength(1)]
    public string? Timezone { get; set; }

    /// <summary>A GJSON path selecting the part of the document to parse (json_query).</summary>
    [JsonPropertyName("query")]
    [MinLength(1)]
    public string? Query { get; set; }
}

/// <summary>One json_v2 table (<c>[[inputs.kafka_consumer.json_v2]]</c>): what of a document becomes one point.</summary>
public sealed class JsonV2TableSpec
{
    /// <summary>The measurement name (measurement_name).</summary>
    [JsonPropertyName("measurementName")]
    [MinLength(1)]
    public string? MeasurementName { get; set; }

    /// <summary>A GJSON path to the measurement name (measurement_name_path).</summary>
    [JsonPropertyName("measurementNamePath")]
    [MinLength(1)]
    public string? MeasurementNamePath { get; set; }

    /// <summary>A GJSON path to the point's time (timestamp_path).</summary>
    [JsonPropertyName("timestampPath")]
    [MinLength(1)]
    public string? TimestampPath { get; set; }

    /// <summary>Format of the time (timestamp_format): unix, unix_ms, unix_us, unix_ns or a Go layout; required with timestampPath.</summary>
    [JsonPropertyName("timestampFormat")]
    [MinLength(1)]
    public string? TimestampFormat { get; set; }

    /// <summary>Time zone of times without an offset (timestamp_timezone).</summary>
    [JsonPropertyName("timestampTimezone")]
    [MinLength(1)]
    public string? TimestampTimezone { get; set; }

    /// <summary>Values that become tags.</summary>
    [JsonPropertyName("tags")]
    public IList<JsonV2ValueSpec>? Tags { get; set; }

    /// <summary>Values that become fields.</summary>
    [JsonPropertyName("fields")]
    public IList<JsonV2ValueSpec>? Fields { get; set; }
}

/// <summary>One json_v2 tag or field: a GJSON path to a single value.</summary>
public sealed class JsonV2ValueSpec
{
    /// <summary>GJSON path to the value.</summary>
    [Required]
    [JsonPropertyName("path")]
    [MinLength(1)]
    public string Path { get; set; } = "";

    /// <summary>The tag or field name; left out, the last part of the path.</summary>
    [JsonPropertyName("rename")]
    [MinLength(1)]
    public string? Rename { get; set; }

    /// <summary>A field's type: float, int, uint, string or bool (ignored for tags). Left out, the JSON type.</summary>
    [JsonPropertyName("type")]
    public JsonV2FieldType? Type { get; set; }

    /// <summary>A document without this path is not an error.</summary>
    [JsonPropertyName("optional")]
    public bool? Optional { get; set; }
}

/// <summary>Telegraf's influx (line protocol) parser.</summary>
public sealed class InfluxParserSpec
{
    /// <summary>Precision of the timestamps in the messages (influx_timestamp_precision): 1ns (the default), 1us, 1ms or 1s.</summary>
    [JsonPropertyName("timestampPrecision")]
    public InfluxTimestampPrecision? TimestampPrecision { get; set; }
}

/// <summary>How Kafka messages are parsed (Telegraf's data_format).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KafkaDataFormat>))]
public enum KafkaDataFormat
{
    /// <summary>Avro in Confluent's wire format (magic byte, schema ID), schemas from the registry.</summary>
    [JsonStringEnumMemberName("avro")]
    Avro,

    /// <summary>Telegraf's original JSON parser.</summary>
    [JsonStringEnumMemberName("json")]
    Json,

    /// <summary>Telegraf's configurable JSON parser.</summary>
    [JsonStringEnumMemberName("json_v2")]
    JsonV2,

    /// <summary>InfluxDB line protocol.</summary>
    [JsonStringEnumMemberName("influx")]
    Influx,
}

/// <summary>Where a consumer group without a committed offset starts.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KafkaOffset>))]
public enum KafkaOffset
{
    /// <summary>At the oldest message Kafka keeps.</summary>
    [JsonStringEnumMemberName("oldest")]
    Oldest,

    /// <summary>At the next message written.</summary>
    [JsonStringEnumMemberName("newest")]
    Newest,
}

/// <summary>Kafka's compression codecs, by name (Telegraf writes their numbers).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KafkaCompressionCodec>))]
public enum KafkaCompressionCodec
{
    /// <summary>No compression (0).</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>Gzip (1).</summary>
    [JsonStringEnumMemberName("gzip")]
    Gzip,

    /// <summary>Snappy (2).</summary>
    [JsonStringEnumMemberName("snappy")]
    Snappy,

    /// <summary>LZ4 (3).</summary>
    [JsonStringEnumMemberName("lz4")]
    Lz4,

    /// <summary>Zstandard (4).</summary>
    [JsonStringEnumMemberName("zstd")]
    Zstd,
}

/// <summary>Unit of an Avro timestamp field.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AvroTimestampFormat>))]
public enum AvroTimestampFormat
{
    /// <summary>Seconds since the epoch.</summary>
    [JsonStringEnumMemberName("unix")]
    Unix,

    /// <summary>Milliseconds since the epoch.</summary>
    [JsonStringEnumMemberName("unix_ms")]
    UnixMs,

    /// <summary>Microseconds since the epoch.</summary>
    [JsonStringEnumMemberName("unix_us")]
    UnixUs,

    /// <summary>Nanoseconds since the epoch.</summary>
    [JsonStringEnumMemberName("unix_ns")]
    UnixNs,
}

/// <summary>How the avro parser reads union types.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AvroUnionMode>))]
public enum AvroUnionMode
{
    /// <summary>The field name gets the type as a suffix.</summary>
    [JsonStringEnumMemberName("flatten")]
    Flatten,

    /// <summary>The name is kept and null values are dropped.</summary>
    [JsonStringEnumMemberName("nullable")]
    Nullable,

    /// <summary>The name is kept and the value has the type received.</summary>
    [JsonStringEnumMemberName("any")]
    Any,
}

/// <summary>The type of a json_v2 field.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JsonV2FieldType>))]
public enum JsonV2FieldType
{
    /// <summary>A float.</summary>
    [JsonStringEnumMemberName("float")]
    FloatValue,

    /// <summary>A signed integer.</summary>
    [JsonStringEnumMemberName("int")]
    IntegerValue,

    /// <summary>An unsigned integer.</summary>
    [JsonStringEnumMemberName("uint")]
    UnsignedValue,

    /// <summary>A string.</summary>
    [JsonStringEnumMemberName("string")]
    StringValue,

    /// <summary>A boolean.</summary>
    [JsonStringEnumMemberName("bool")]
    BooleanValue,
}

/// <summary>Precision of line-protocol timestamps.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<InfluxTimestampPrecision>))]
public enum InfluxTimestampPrecision
{
    /// <summary>Nanoseconds.</summary>
    [JsonStringEnumMemberName("1ns")]
    Nanoseconds,

    /// <summary>Microseconds.</summary>
    [JsonStringEnumMemberName("1us")]
    Microseconds,

    /// <summary>Milliseconds.</summary>
    [JsonStringEnumMemberName("1ms")]
    Milliseconds,

    /// <summary>Seconds.</summary>
    [JsonStringEnumMemberName("1s")]
    Seconds,
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

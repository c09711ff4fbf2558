using System.Text;
using MetricsOperator.Crds;
using static MetricsOperator.Stacks.Builders.TomlText;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Renders one <c>[[inputs.kafka_consumer]]</c> per consumer: the shared connection (brokers, kafka_version, SASL,
/// TLS), the consumer's topics and throughput options, and its parser's options. Every name written is declared in
/// Telegraf 1.39's kafka_consumer sample.conf, its parser's options or the options of any input (a test checks it
/// against the contract files). Secrets appear only as <c>${ENV}</c> references and file paths.
/// </summary>
public static class KafkaConsumerRenderer
{
    /// <summary>Appends every consumer of <paramref name="kafka"/> to <paramref name="text"/>.</summary>
    public static void Render(StringBuilder text, KafkaSettings kafka)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(kafka);
        foreach (var consumer in kafka.Consumers)
        {
            RenderConsumer(text, kafka, consumer);
        }
    }

    private static void RenderConsumer(StringBuilder text, KafkaSettings kafka, KafkaConsumerSettings consumer)
    {
        text.Append("\n[[inputs.kafka_consumer]]\n");
        Option(text, "alias", Quoted(consumer.Name));
        Option(text, "brokers", QuotedList(kafka.Brokers));
        if (kafka.KafkaVersion is { } version)
        {
            Option(text, "kafka_version", Quoted(version));
        }

        Option(text, "topics", QuotedList(consumer.Topics));
        if (consumer.TopicRegexps.Count > 0)
        {
            Option(text, "topic_regexps", QuotedList(consumer.TopicRegexps));
        }

        if (consumer.TopicTag is { } topicTag)
        {
            Option(text, "topic_tag", Quoted(topicTag));
        }

        Option(text, "consumer_group", Quoted(consumer.ConsumerGroup));
        Option(text, "offset", Quoted(consumer.Offset == KafkaOffset.Newest ? "newest" : "oldest"));
        Option(text, "max_undelivered_messages", Integer(consumer.MaxUndeliveredMessages));
        Option(text, "max_processing_time", Quoted(consumer.MaxProcessingTime));
        Option(text, "consumer_fetch_default", Quoted(consumer.ConsumerFetchDefault));
        if (consumer.CompressionCodec is { } codec)
        {
            // Telegraf takes Kafka's codec numbers (kafka_consumer.conf: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).
            Option(text, "compression_codec", Integer((int)codec));
        }

        Option(text, "max_message_len", Integer(consumer.MaxMessageLen));
        RenderConnection(text, kafka);
        RenderParser(text, kafka, consumer);
        if (consumer.Tags.Count > 0)
        {
            Option(text, "tags", InlineTable(consumer.Tags));
        }

        // Sub-tables last: in TOML every option after a table header belongs to that table.
        foreach (var table in consumer.DataFormat == KafkaDataFormat.JsonV2 ? consumer.JsonV2 : [])
        {
            RenderJsonV2Table(text, table);
        }
    }

    private static void RenderConnection(StringBuilder text, KafkaSettings kafka)
    {
        if (kafka.Tls is { } tls)
        {
            Option(text, "enable_tls", Boolean(true));
            if (tls.Ca is { } ca)
            {
                Option(text, "tls_ca", Quoted(ca.FilePath));
            }

            if (tls.ClientCert is { } cert && tls.ClientKey is { } key)
            {
                Option(text, "tls_cert", Quoted(cert.FilePath));
                Option(text, "tls_key", Quoted(key.FilePath));
            }
        }

        if (kafka.Sasl is { } sasl)
        {
            Option(text, "sasl_mechanism", Quoted(sasl.Mechanism));
            Option(text, "sasl_username", Quoted(sasl.Username ?? "${" + KafkaSaslSettings.UsernameEnv + "}"));
            Option(text, "sasl_password", Quoted("${" + KafkaSaslSettings.PasswordEnv + "}"));
        }
    }

    private static void RenderParser(StringBuilder text, KafkaSettings kafka, KafkaConsumerSettings consumer)
    {
        switch (consumer.DataFormat)
        {
            case KafkaDataFormat.Avro:
                Option(text, "data_format", Quoted("avro"));
                RenderAvro(text, kafka.SchemaRegistry, consumer.Avro ?? new AvroParserSpec());
                break;
            case KafkaDataFormat.Json:
                Option(text, "data_format", Quoted("json"));
                RenderJson(text, consumer.Json ?? new JsonParserSpec());
                break;
            case KafkaDataFormat.JsonV2:
                Option(text, "data_format", Quoted("json_v2"));
                break;
            case KafkaDataFormat.Influx:
                Option(text, "data_format", Quoted("influx"));
                if (consumer.Influx?.TimestampPrecision is { } precision)
                {
                    Option(text, "influx_timestamp_precision", Quoted(EnumName(precision)));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(consumer), consumer.DataFormat, "Unknown Kafka data format.");
        }
    }

    private static void RenderAvro(StringBuilder text, SchemaRegistrySettings? registry, AvroParserSpec avro)
    {
        // Validation refuses an avro consumer without a registry; a stack that skipped it renders without one.
        if (registry is not null)
        {
            Option(text, "avro_schema_registry", Quoted(registry.UrlWithCredentials()));
            if (registry.Ca is { } ca)
            {
                Option(text, "avro_schema_registry_cert", Quoted(ca.FilePath));
            }
        }

        OptionalString(text, "avro_timestamp", avro.Timestamp);
        if (avro.TimestampFormat is { } format)
        {
            Option(text, "avro_timestamp_format", Quoted(EnumName(format)));
        }

        if (avro.UnionMode is { } unionMode)
        {
            Option(text, "avro_union_mode", Quoted(EnumName(unionMode)));
        }

        OptionalList(text, "avro_tags", avro.Tags);
        OptionalList(text, "avro_fields", avro.Fields);
        OptionalString(text, "avro_measurement", avro.Measurement);
        OptionalString(text, "avro_measurement_field", avro.MeasurementField);
        OptionalString(text, "avro_field_separator", avro.FieldSeparator);
    }

    private static void RenderJson(StringBuilder text, JsonParserSpec json)
    {
        OptionalList(text, "tag_keys", json.TagKeys);
        OptionalList(text, "json_string_fields", json.StringFields);
        OptionalString(text, "json_name_key", json.NameKey);
        OptionalString(text, "json_time_key", json.TimeKey);
        OptionalString(text, "json_time_format", json.TimeFormat);
        OptionalString(text, "json_timezone", json.Timezone);
        OptionalString(text, "json_query", json.Query);
    }

    private static void RenderJsonV2Table(StringBuilder text, JsonV2TableSpec table)
    {
        const string indent = "    ";
        text.Append("  [[inputs.kafka_consumer.json_v2]]\n");
        OptionalString(text, "measurement_name", table.MeasurementName, indent);
        OptionalString(text, "measurement_name_path", table.MeasurementNamePath, indent);
        OptionalString(text, "timestamp_path", table.TimestampPath, indent);
        OptionalString(text, "timestamp_format", table.TimestampFormat, indent);
        OptionalString(text, "timestamp_timezone", table.TimestampTimezone, indent);
        foreach (var tag in table.Tags ?? [])
        {
            text.Append("    [[inputs.kafka_consumer.json_v2.tag]]\n");
            RenderJsonV2Value(text, tag, isField: false);
        }

        foreach (var field in table.Fields ?? [])
        {
            text.Append("    [[inputs.kafka_consumer.json_v2.field]]\n");
            RenderJsonV2Value(text, field, isField: true);
        }
    }

    private static void RenderJsonV2Value(StringBuilder text, JsonV2ValueSpec value, bool isField)
    {
        const string indent = "      ";
        Option(text, "path", Quoted(value.Path), indent);
        OptionalString(text, "rename", value.Rename, indent);
        if (isField && value.Type is { } type)
        {
            Option(text, "type", Quoted(EnumName(type)), indent);
        }

        if (value.Optional is { } optional)
        {
            Option(text, "optional", Boolean(optional), indent);
        }
    }

    private static void OptionalString(StringBuilder text, string name, string? value, string indent = "  ")
    {
        if (value is not null)
        {
            Option(text, name, Quoted(value), indent);
        }
    }

    private static void OptionalList(StringBuilder text, string name, IList<string>? values)
    {
        if (values is { Count: > 0 })
        {
            Option(text, name, QuotedList(values));
        }
    }

    /// <summary>The value's name in the spec, which is Telegraf's spelling for every enum rendered here.</summary>
    private static string EnumName<T>(T value)
        where T : struct, Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute), false)
            .Cast<System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute>().SingleOrDefault()?.Name
        ?? throw new ArgumentOutOfRangeException(nameof(value), value, $"{typeof(T).Name} has no JSON name for this value.");
}

using System.Globalization;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks;

/// <summary>
/// The Kafka rules the CRD schema cannot express: each consumer's topics, the parser options that match its data
/// format, json_v2's tables, the registry avro needs, and how SASL names its user. Pure: spec in, field errors out.
/// </summary>
public static class KafkaValidation
{
    private const string Path = "spec.telegraf.kafka";

    /// <summary>Every error of <paramref name="kafka"/>; none when it is null (no Kafka).</summary>
    public static IEnumerable<FieldError> Errors(KafkaSpec? kafka)
    {
        if (kafka is null)
        {
            yield break;
        }

        // The schema requires brokers and consumers; these guard objects stored before those rules (the single-consumer
        // shape of earlier v1alpha1 had topics and dataFormat here, which the API server now prunes).
        if (kafka.Brokers is not { Count: > 0 })
        {
            yield return new FieldError($"{Path}.brokers", "at least one broker (host:port) is required when kafka is set");
        }

        for (var i = 0; i < (kafka.Brokers?.Count ?? 0); i++)
        {
            if (!IsHostPort(kafka.Brokers![i]))
            {
                yield return new FieldError($"{Path}.brokers[{i}]", $"\"{kafka.Brokers[i]}\" is not host:port");
            }
        }

        if (kafka.Consumers is not { Count: > 0 })
        {
            yield return new FieldError($"{Path}.consumers", "at least one consumer is required when kafka is set (the single-consumer fields topics and dataFormat of earlier v1alpha1 moved into consumers: see docs/kafka.md)");
        }

        if (kafka.Sasl is { } sasl && (sasl.Username is null) == (sasl.UsernameKey is null))
        {
            yield return new FieldError($"{Path}.sasl", "set exactly one of username (the user name itself, for Strimzi the KafkaUser's name) and usernameKey (the key of sasl.secret holding it)");
        }

        var consumers = kafka.Consumers ?? [];
        for (var i = 0; i < consumers.Count; i++)
        {
            foreach (var error in Consumer(consumers[i], $"{Path}.consumers[{i}]", kafka.SchemaRegistry is not null))
            {
                yield return error;
            }
        }
    }

    private static IEnumerable<FieldError> Consumer(KafkaConsumerSpec consumer, string at, bool hasRegistry)
    {
        if (consumer.Topics is not { Count: > 0 } && consumer.TopicRegexps is not { Count: > 0 })
        {
            yield return new FieldError($"{at}.topics", "set topics, topicRegexps or both: a consumer with neither reads nothing");
        }

        for (var j = 0; j < (consumer.Topics?.Count ?? 0); j++)
        {
            if (string.IsNullOrWhiteSpace(consumer.Topics![j]))
            {
                yield return new FieldError($"{at}.topics[{j}]", "a topic name must not be empty");
            }
        }

        for (var j = 0; j < (consumer.TopicRegexps?.Count ?? 0); j++)
        {
            if (string.IsNullOrWhiteSpace(consumer.TopicRegexps![j]))
            {
                yield return new FieldError($"{at}.topicRegexps[{j}]", "a regular expression must not be empty");
            }
        }

        var format = FormatName(consumer.DataFormat);
        foreach (var (field, set, owner) in new (string, bool, KafkaDataFormat)[]
                 {
                     ("avro", consumer.Avro is not null, KafkaDataFormat.Avro),
                     ("json", consumer.Json is not null, KafkaDataFormat.Json),
                     ("jsonV2", consumer.JsonV2 is not null, KafkaDataFormat.JsonV2),
                     ("influx", consumer.Influx is not null, KafkaDataFormat.Influx),
                 })
        {
            if (set && owner != consumer.DataFormat)
            {
                yield return new FieldError($"{at}.{field}", $"options of the {FormatName(owner)} parser, but dataFormat is {format} (allowed: {string.Join(", ", Enum.GetValues<KafkaDataFormat>().Select(FormatName))})");
            }
        }

        switch (consumer.DataFormat)
        {
            case KafkaDataFormat.Avro:
                if (!hasRegistry)
                {
                    yield return new FieldError($"{at}.dataFormat", $"avro needs {Path}.schemaRegistry: messages carry only a schema ID");
                }

                if (consumer.Avro is { TimestampFormat: not null, Timestamp: null })
                {
                    yield return new FieldError($"{at}.avro.timestampFormat", "set only with avro.timestamp (the field holding the time)");
                }

                break;
            case KafkaDataFormat.Json:
                if (consumer.Json is { TimeKey: not null, TimeFormat: null })
                {
                    yield return new FieldError($"{at}.json.timeFormat", "required with json.timeKey (unix, unix_ms, unix_us, unix_ns or a Go layout)");
                }

                break;
            case KafkaDataFormat.JsonV2:
                if (consumer.JsonV2 is not { Count: > 0 })
                {
                    yield return new FieldError($"{at}.jsonV2", "at least one table is required with dataFormat json_v2: without one Telegraf consumes every message and writes nothing");
                }

                for (var t = 0; t < (consumer.JsonV2?.Count ?? 0); t++)
                {
                    var table = consumer.JsonV2![t];
                    if (table.Tags is not { Count: > 0 } && table.Fields is not { Count: > 0 })
                    {
                        yield return new FieldError($"{at}.jsonV2[{t}]", "a table needs at least one tag or field");
                    }

                    if (table.TimestampPath is not null && table.TimestampFormat is null)
                    {
                        yield return new FieldError($"{at}.jsonV2[{t}].timestampFormat", "required with timestampPath (unix, unix_ms, unix_us, unix_ns or a Go layout)");
                    }
                }

                break;
        }
    }

    private static string FormatName(KafkaDataFormat format) => format switch
    {
        KafkaDataFormat.Avro => "avro",
        KafkaDataFormat.Json => "json",
        KafkaDataFormat.JsonV2 => "json_v2",
        KafkaDataFormat.Influx => "influx",
        _ => format.ToString(),
    };

    private static bool IsHostPort(string? broker)
    {
        if (string.IsNullOrWhiteSpace(broker) || broker.Any(char.IsWhiteSpace))
        {
            return false;
        }

        var colon = broker.LastIndexOf(':');
        return colon > 0
            && int.TryParse(broker.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535;
    }
}

using System.Globalization;
using System.Text;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Renders <c>telegraf.conf</c> from the spec. Every option it writes exists in that plugin's sample.conf of
/// Telegraf 1.39 (a test checks it). Secrets never appear in the text: the file names environment variables
/// (<c>${INFLUX_TOKEN}</c>), which Telegraf substitutes at start from the pod's env, which comes from Secrets.
/// </summary>
public static class TelegrafConfigRenderer
{
    /// <summary>Environment variable holding the write token (from the <c>&lt;stack&gt;-telegraf-token</c> Secret).</summary>
    public const string TokenEnv = "INFLUX_TOKEN";

    /// <summary>Environment variable holding the token the listener accepts (from the <c>&lt;stack&gt;-listener-token</c> Secret).</summary>
    public const string ListenerTokenEnv = "LISTENER_TOKEN";

    /// <summary>Environment variable holding the Kafka SASL user name.</summary>
    public const string KafkaUserEnv = "KAFKA_SASL_USERNAME";

    /// <summary>Environment variable holding the Kafka SASL password.</summary>
    public const string KafkaPasswordEnv = "KAFKA_SASL_PASSWORD";

    /// <summary>Where the disk buffer volume is mounted and Telegraf keeps its buffer.</summary>
    public const string BufferDirectory = "/var/lib/telegraf/buffer";

    /// <summary>Where the Kafka TLS Secret is mounted.</summary>
    public const string KafkaTlsDirectory = "/etc/telegraf/kafka-tls";

    /// <summary>The file name of the configuration in its ConfigMap and in the container.</summary>
    public const string FileName = "telegraf.conf";

    /// <summary>The configuration for <paramref name="stack"/>.</summary>
    public static string Render(V1Alpha1MetricsStack stack)
    {
        stack = SchemaDefaults.Applied(stack);
        var influxDb = stack.Spec.InfluxDb!;
        var telegraf = stack.Spec.Telegraf!;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Rendered by metrics-operator from MetricsStack {StackNames.Namespace(stack)}/{stack.Metadata.Name}; edits are overwritten.\n");

        text.Append("\n[agent]\n");
        // The host tag would be the pod name, which changes on every rollout: a new series per pod, for nothing.
        Option(text, "omit_hostname", "true");
        if (telegraf.DiskBuffer!.Enabled == true)
        {
            Option(text, "buffer_strategy", Quoted("disk"));
            Option(text, "buffer_directory", Quoted(BufferDirectory));
        }

        text.Append("\n[[inputs.influxdb_v2_listener]]\n");
        Option(text, "service_address", Quoted(string.Create(CultureInfo.InvariantCulture, $":{telegraf.ListenerPort}")));
        if (RequiresToken(stack))
        {
            // Telegraf then answers 401 to any request whose Authorization header is not exactly "Token <token>".
            Option(text, "token", Quoted("${" + ListenerTokenEnv + "}"));
        }

        if (telegraf.Kafka is { } kafka)
        {
            RenderKafka(text, kafka);
        }

        text.Append("\n[[outputs.influxdb_v2]]\n");
        Option(text, "urls", QuotedList([StackNames.InfluxDbUrl(stack)]));
        Option(text, "token", Quoted("${" + TokenEnv + "}"));
        Option(text, "organization", Quoted(influxDb.Organization!));
        Option(text, "bucket", Quoted(influxDb.Bucket!));
        return text.ToString();
    }

    /// <summary>Whether the listener refuses writes without the token (<c>spec.telegraf.writeAccess.requireToken</c>, default true).</summary>
    public static bool RequiresToken(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.Spec?.Telegraf?.WriteAccess?.RequireToken != false;
    }

    private static void RenderKafka(StringBuilder text, KafkaSpec kafka)
    {
        text.Append("\n[[inputs.kafka_consumer]]\n");
        Option(text, "brokers", QuotedList(kafka.Brokers));
        Option(text, "topics", QuotedList(kafka.Topics));
        Option(text, "consumer_group", Quoted(kafka.ConsumerGroup!));
        Option(text, "data_format", Quoted(DataFormat(kafka.DataFormat!.Value)));
        if (kafka.Tls is not null)
        {
            Option(text, "enable_tls", "true");
            Option(text, "tls_ca", Quoted(KafkaTlsDirectory + "/ca.crt"));
        }

        if (kafka.Sasl is { } sasl)
        {
            Option(text, "sasl_mechanism", Quoted(Mechanism(sasl.Mechanism!.Value)));
            Option(text, "sasl_username", Quoted("${" + KafkaUserEnv + "}"));
            Option(text, "sasl_password", Quoted("${" + KafkaPasswordEnv + "}"));
        }
    }

    private static string DataFormat(KafkaDataFormat format) => format switch
    {
        KafkaDataFormat.Influx => "influx",
        KafkaDataFormat.Json => "json",
        KafkaDataFormat.JsonV2 => "json_v2",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown Kafka data format."),
    };

    private static string Mechanism(SaslMechanism mechanism) => mechanism switch
    {
        SaslMechanism.Plain => "PLAIN",
        SaslMechanism.ScramSha256 => "SCRAM-SHA-256",
        SaslMechanism.ScramSha512 => "SCRAM-SHA-512",
        _ => throw new ArgumentOutOfRangeException(nameof(mechanism), mechanism, "Unknown SASL mechanism."),
    };

    private static void Option(StringBuilder text, string name, string value) =>
        text.Append(CultureInfo.InvariantCulture, $"  {name} = {value}\n");

    private static string QuotedList(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Quoted)) + "]";

    /// <summary>A TOML basic string: backslash, quote and control characters escaped.</summary>
    private static string Quoted(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                < ' ' or '\u007f' => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}

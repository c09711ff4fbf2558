using System.Globalization;
using System.Text;

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

    /// <summary>Where the disk buffer volume is mounted and Telegraf keeps its buffer.</summary>
    public const string BufferDirectory = TelegrafAgentRenderer.BufferDirectory;

    /// <summary>The file name of the configuration in its ConfigMap and in the container.</summary>
    public const string FileName = "telegraf.conf";

    /// <summary>The configuration for <paramref name="stack"/>.</summary>
    public static string Render(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var influxDb = stack.InfluxDb;
        var telegraf = stack.Telegraf;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Rendered by metrics-operator from MetricsStack {StackNames.Namespace(stack)}/{stack.Metadata.Name}; edits are overwritten.\n");

        TelegrafAgentRenderer.RenderAgent(text, telegraf);

        text.Append("\n[[inputs.influxdb_v2_listener]]\n");
        Option(text, "service_address", Quoted(string.Create(CultureInfo.InvariantCulture, $":{telegraf.ListenerPort}")));
        if (RequiresToken(stack))
        {
            // Telegraf then answers 401 to any request whose Authorization header is not exactly "Token <token>".
            Option(text, "token", Quoted("${" + ListenerTokenEnv + "}"));
        }

        if (KafkaSettings.From(stack) is { } kafka)
        {
            KafkaConsumerRenderer.Render(text, kafka);
        }

        TelegrafAgentRenderer.RenderInternal(text, telegraf);

        text.Append("\n[[outputs.influxdb_v2]]\n");
        Option(text, "urls", QuotedList([StackNames.InfluxDbUrl(stack)]));
        Option(text, "token", Quoted("${" + TokenEnv + "}"));
        Option(text, "organization", Quoted(influxDb.Organization));
        Option(text, "bucket", Quoted(influxDb.Bucket));
        return text.ToString();
    }

    /// <summary>Whether the listener refuses writes without the token (<c>spec.telegraf.writeAccess.requireToken</c>, default true).</summary>
    public static bool RequiresToken(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.Telegraf.WriteAccess.RequireToken;
    }

    private static void Option(StringBuilder text, string name, string value) => TomlText.Option(text, name, value);

    private static string QuotedList(IEnumerable<string> values) => TomlText.QuotedList(values);

    private static string Quoted(string value) => TomlText.Quoted(value);
}

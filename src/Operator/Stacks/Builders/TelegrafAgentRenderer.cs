using System.Text;
using static MetricsOperator.Stacks.Builders.TomlText;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Renders Telegraf's <c>[agent]</c> table and its own health input (<c>[[inputs.internal]]</c>). Every [agent] name
/// is documented in Telegraf 1.39's CONFIGURATION.md; a test checks them.
/// </summary>
public static class TelegrafAgentRenderer
{
    /// <summary>
    /// Environment variable holding the pod's name (downward API), tagged on Telegraf's own metrics only: with the
    /// host tag omitted, several replicas' counters would otherwise share one series and overwrite each other.
    /// </summary>
    public const string PodNameEnv = "POD_NAME";

    /// <summary>Where the disk buffer volume is mounted and Telegraf keeps its buffer.</summary>
    public const string BufferDirectory = "/var/lib/telegraf/buffer";

    /// <summary>The [agent] table of <paramref name="telegraf"/>.</summary>
    public static void RenderAgent(StringBuilder text, DefaultedTelegraf telegraf)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(telegraf);
        var agent = telegraf.Agent;
        text.Append("\n[agent]\n");
        Option(text, "interval", Quoted(agent.Interval));
        Option(text, "collection_jitter", Quoted(agent.CollectionJitter));
        Option(text, "metric_batch_size", Integer(agent.MetricBatchSize));
        Option(text, "metric_buffer_limit", Integer(agent.MetricBufferLimit));
        Option(text, "flush_interval", Quoted(agent.FlushInterval));
        Option(text, "flush_jitter", Quoted(agent.FlushJitter));
        // The host tag would be the pod name, which changes on every rollout: a new series per pod, for nothing.
        Option(text, "omit_hostname", Boolean(true));
        if (telegraf.DiskBuffer.Enabled)
        {
            Option(text, "buffer_strategy", Quoted("disk"));
            Option(text, "buffer_directory", Quoted(BufferDirectory));
        }
    }

    /// <summary>[[inputs.internal]] when internal metrics are on (the default); nothing otherwise.</summary>
    public static void RenderInternal(StringBuilder text, DefaultedTelegraf telegraf)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(telegraf);
        var internalMetrics = telegraf.InternalMetrics;
        if (!internalMetrics.Enabled)
        {
            return;
        }

        text.Append("\n[[inputs.internal]]\n");
        Option(text, "name_prefix", Quoted(internalMetrics.MeasurementPrefix));
        Option(text, "collect_memstats", Boolean(internalMetrics.CollectMemstats));
        Option(text, "tags", InlineTable([KeyValuePair.Create("pod", "${" + PodNameEnv + "}")]));
    }

    /// <summary>Whether <see cref="RenderInternal"/> writes anything, so the pod sets <see cref="PodNameEnv"/> only then.</summary>
    public static bool InternalEnabled(DefaultedTelegraf telegraf)
    {
        ArgumentNullException.ThrowIfNull(telegraf);
        return telegraf.InternalMetrics.Enabled;
    }
}

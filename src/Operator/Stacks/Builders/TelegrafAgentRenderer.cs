using System.Text;
using MetricsOperator.Crds;
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

    /// <summary>The [agent] table of <paramref name="telegraf"/> (already defaulted).</summary>
    public static void RenderAgent(StringBuilder text, TelegrafSpec telegraf)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(telegraf);
        var agent = AgentSettings.From(telegraf);
        text.Append("\n[agent]\n");
        Option(text, "interval", Quoted(agent.Interval));
        Option(text, "collection_jitter", Quoted(agent.CollectionJitter));
        Option(text, "metric_batch_size", Integer(agent.MetricBatchSize));
        Option(text, "metric_buffer_limit", Integer(agent.MetricBufferLimit));
        Option(text, "flush_interval", Quoted(agent.FlushInterval));
        Option(text, "flush_jitter", Quoted(agent.FlushJitter));
        // The host tag would be the pod name, which changes on every rollout: a new series per pod, for nothing.
        Option(text, "omit_hostname", Boolean(true));
        if (agent.DiskBuffer)
        {
            Option(text, "buffer_strategy", Quoted("disk"));
            Option(text, "buffer_directory", Quoted(BufferDirectory));
        }
    }

    /// <summary>[[inputs.internal]] when internal metrics are on (the default); nothing otherwise.</summary>
    public static void RenderInternal(StringBuilder text, TelegrafSpec telegraf)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(telegraf);
        var agent = AgentSettings.From(telegraf);
        if (agent.InternalPrefix is not { } prefix)
        {
            return;
        }

        text.Append("\n[[inputs.internal]]\n");
        Option(text, "name_prefix", Quoted(prefix));
        Option(text, "collect_memstats", Boolean(agent.CollectMemstats));
        Option(text, "tags", InlineTable([KeyValuePair.Create("pod", "${" + PodNameEnv + "}")]));
    }

    /// <summary>Whether <see cref="RenderInternal"/> writes anything, so the pod sets <see cref="PodNameEnv"/> only then.</summary>
    public static bool InternalEnabled(TelegrafSpec telegraf) => AgentSettings.From(telegraf).InternalPrefix is not null;

    /// <summary>The [agent] and internal options with their defaults applied.</summary>
    private sealed record AgentSettings(
        string Interval,
        string CollectionJitter,
        int MetricBatchSize,
        int MetricBufferLimit,
        string FlushInterval,
        string FlushJitter,
        bool DiskBuffer,
        string? InternalPrefix,
        bool CollectMemstats)
    {
        public static AgentSettings From(TelegrafSpec telegraf)
        {
            var agent = telegraf.Agent ?? new TelegrafAgentSpec();
            var internalMetrics = telegraf.InternalMetrics ?? new InternalMetricsSpec();
            return new AgentSettings(
                Defaulted.Value(agent.Interval, "spec.telegraf.agent.interval"),
                Defaulted.Value(agent.CollectionJitter, "spec.telegraf.agent.collectionJitter"),
                Defaulted.Value(agent.MetricBatchSize, "spec.telegraf.agent.metricBatchSize"),
                Defaulted.Value(agent.MetricBufferLimit, "spec.telegraf.agent.metricBufferLimit"),
                Defaulted.Value(agent.FlushInterval, "spec.telegraf.agent.flushInterval"),
                Defaulted.Value(agent.FlushJitter, "spec.telegraf.agent.flushJitter"),
                telegraf.DiskBuffer?.Enabled == true,
                internalMetrics.Enabled == false ? null : Defaulted.Value(internalMetrics.MeasurementPrefix, "spec.telegraf.internalMetrics.measurementPrefix"),
                Defaulted.Value(internalMetrics.CollectMemstats, "spec.telegraf.internalMetrics.collectMemstats"));
        }
    }
}

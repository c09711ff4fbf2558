using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks;

/// <summary>spec.telegraf with its defaults as plain values (<see cref="DefaultedStack"/>).</summary>
public sealed class DefaultedTelegraf
{
    internal DefaultedTelegraf(TelegrafSpec spec)
    {
        Spec = spec;
        Image = Defaulted.Value(spec.Image, "spec.telegraf.image");
        Replicas = Defaulted.Value(spec.Replicas, "spec.telegraf.replicas");
        ListenerPort = Defaulted.Value(spec.ListenerPort, "spec.telegraf.listenerPort");
        WriteAccess = new DefaultedWriteAccess(Defaulted.Value(spec.WriteAccess, "spec.telegraf.writeAccess"));
        DiskBuffer = new DefaultedDiskBuffer(Defaulted.Value(spec.DiskBuffer, "spec.telegraf.diskBuffer"));
        Agent = new DefaultedTelegrafAgent(Defaulted.Value(spec.Agent, "spec.telegraf.agent"));
        InternalMetrics = new DefaultedInternalMetrics(Defaulted.Value(spec.InternalMetrics, "spec.telegraf.internalMetrics"));
    }

    /// <summary>The defaulted API section, for code that takes <see cref="TelegrafSpec"/>.</summary>
    public TelegrafSpec Spec { get; }

    public string Image { get; }

    public int Replicas { get; }

    public int ListenerPort { get; }

    public DefaultedWriteAccess WriteAccess { get; }

    public DefaultedDiskBuffer DiskBuffer { get; }

    public DefaultedTelegrafAgent Agent { get; }

    public DefaultedInternalMetrics InternalMetrics { get; }

    /// <summary>spec.telegraf.kafka: optional. Its consumers' defaults are read by <c>KafkaSettings</c>, per consumer.</summary>
    public KafkaSpec? Kafka => Spec.Kafka;

    public ResourceRequirements? Resources => Spec.Resources;

    public PodSettings? Pod => Spec.Pod;
}

/// <summary>spec.telegraf.writeAccess with its defaults as plain values.</summary>
public sealed class DefaultedWriteAccess
{
    internal DefaultedWriteAccess(WriteAccessSpec spec)
    {
        RequireToken = Defaulted.Value(spec.RequireToken, "spec.telegraf.writeAccess.requireToken");
        RotateEvery = spec.RotateEvery;
    }

    public bool RequireToken { get; }

    public string? RotateEvery { get; }
}

/// <summary>spec.telegraf.diskBuffer with its defaults as plain values.</summary>
public sealed class DefaultedDiskBuffer
{
    internal DefaultedDiskBuffer(DiskBufferSpec spec)
    {
        Enabled = Defaulted.Value(spec.Enabled, "spec.telegraf.diskBuffer.enabled");
        Size = Defaulted.Value(spec.Size, "spec.telegraf.diskBuffer.size");
    }

    public bool Enabled { get; }

    public ResourceQuantity Size { get; }
}

/// <summary>spec.telegraf.agent with its defaults as plain values.</summary>
public sealed class DefaultedTelegrafAgent
{
    internal DefaultedTelegrafAgent(TelegrafAgentSpec spec)
    {
        MetricBatchSize = Defaulted.Value(spec.MetricBatchSize, "spec.telegraf.agent.metricBatchSize");
        MetricBufferLimit = Defaulted.Value(spec.MetricBufferLimit, "spec.telegraf.agent.metricBufferLimit");
        FlushInterval = Defaulted.Value(spec.FlushInterval, "spec.telegraf.agent.flushInterval");
        FlushJitter = Defaulted.Value(spec.FlushJitter, "spec.telegraf.agent.flushJitter");
        Interval = Defaulted.Value(spec.Interval, "spec.telegraf.agent.interval");
        CollectionJitter = Defaulted.Value(spec.CollectionJitter, "spec.telegraf.agent.collectionJitter");
    }

    public int MetricBatchSize { get; }

    public int MetricBufferLimit { get; }

    public string FlushInterval { get; }

    public string FlushJitter { get; }

    public string Interval { get; }

    public string CollectionJitter { get; }
}

/// <summary>spec.telegraf.internalMetrics with its defaults as plain values.</summary>
public sealed class DefaultedInternalMetrics
{
    internal DefaultedInternalMetrics(InternalMetricsSpec spec)
    {
        Enabled = Defaulted.Value(spec.Enabled, "spec.telegraf.internalMetrics.enabled");
        MeasurementPrefix = Defaulted.Value(spec.MeasurementPrefix, "spec.telegraf.internalMetrics.measurementPrefix");
        CollectMemstats = Defaulted.Value(spec.CollectMemstats, "spec.telegraf.internalMetrics.collectMemstats");
    }

    public bool Enabled { get; }

    public string MeasurementPrefix { get; }

    public bool CollectMemstats { get; }
}

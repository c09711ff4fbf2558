namespace MetricsOperator.Runtime.Queue;

/// <summary>What a <see cref="WorkQueue{TKey}"/> reports (client-go's workqueue metrics provider).</summary>
public interface IWorkQueueMetrics
{
    /// <summary>An item was added (not deduplicated away); the depth grew by one.</summary>
    void Added();

    /// <summary>An item was handed to a worker after waiting <paramref name="queued"/>; the depth shrank by one.</summary>
    void Started(TimeSpan queued);

    /// <summary>A worker finished an item after <paramref name="worked"/>.</summary>
    void Finished(TimeSpan worked);

    /// <summary>An item was put back with its backoff.</summary>
    void Retried();
}

/// <summary>Reports nothing.</summary>
public sealed class NoWorkQueueMetrics : IWorkQueueMetrics
{
    /// <summary>The one instance.</summary>
    public static NoWorkQueueMetrics Instance { get; } = new();

    /// <inheritdoc/>
    public void Added()
    {
    }

    /// <inheritdoc/>
    public void Started(TimeSpan queued)
    {
    }

    /// <inheritdoc/>
    public void Finished(TimeSpan worked)
    {
    }

    /// <inheritdoc/>
    public void Retried()
    {
    }
}

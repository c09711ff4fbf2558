namespace MetricsOperator.Runtime.Cache;

/// <summary>What an informer watches and how.</summary>
public sealed record InformerOptions
{
    /// <summary>The namespace to watch; null watches all namespaces.</summary>
    public string? Namespace { get; init; }

    /// <summary>A label selector (e.g. <c>app.kubernetes.io/managed-by=metrics-operator</c>) so only what the operator
    /// owns is cached; null caches everything.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>How often every cached object is handed to the handlers again (level-triggered safety net).
    /// Default 10 minutes; <see cref="TimeSpan.Zero"/> disables it.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Page size of list requests. Default 500 (client-go's).</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Shortest server-side watch timeout; each watch asks for a random value between this and twice this,
    /// so watches rotate and spread (client-go: 5 minutes).</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First delay before reconnecting after a failed list or watch; doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Longest delay between reconnect attempts. Default 30 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}

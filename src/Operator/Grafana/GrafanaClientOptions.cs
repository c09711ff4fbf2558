namespace MetricsOperator.Grafana;

/// <summary>Timeouts and retries of the Grafana client.</summary>
public sealed record GrafanaClientOptions
{
    /// <summary>How long one attempt may take before it is abandoned (and retried).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a failed attempt (no answer, 5xx, 429) is retried.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>Delay before the first retry; doubles with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Default settings.</summary>
    public static GrafanaClientOptions Default { get; } = new();
}

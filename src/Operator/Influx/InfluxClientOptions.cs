namespace MetricsOperator.Influx;

/// <summary>How the operator talks to InfluxDB and how long it waits between tries while InfluxDB is down.</summary>
public sealed record InfluxClientOptions
{
    /// <summary>Longest wait for one HTTP request. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of one call on a connection error, timeout or 5xx (so up to this + 1 tries). Default 2.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>First delay between tries of one call (doubles, with jitter). Default 200 ms.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>First RequeueAfter while InfluxDB is unreachable (doubles per failed reconcile). Default 5 s.</summary>
    public TimeSpan UnreachableBackoffBase { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest RequeueAfter while InfluxDB is unreachable. Default 5 minutes.</summary>
    public TimeSpan UnreachableBackoffMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Defaults for a cluster.</summary>
    public static InfluxClientOptions Default { get; } = new();
}

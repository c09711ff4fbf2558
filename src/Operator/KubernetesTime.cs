namespace MetricsOperator;

/// <summary>
/// Times read from Kubernetes objects: the client hands them over as <see cref="DateTime"/>s whose kind is not always
/// set, though the API server always means UTC (RFC 3339 with Z). One reading for every field that carries one.
/// </summary>
public static class KubernetesTime
{
    /// <summary><paramref name="time"/> as the UTC instant the API server meant.</summary>
    public static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    /// <summary><paramref name="time"/> as the UTC instant the API server meant; null stays null.</summary>
    public static DateTimeOffset? Utc(DateTime? time) => time is { } t ? Utc(t) : null;
}

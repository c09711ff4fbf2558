namespace MetricsOperator.Fakes.Grafana;

/// <summary>An error the fake answers as Grafana does: a status and a <c>{"message": …}</c> body (or no body).</summary>
public sealed class GrafanaException : Exception
{
    public GrafanaException()
        : this(500, "internal server error")
    {
    }

    public GrafanaException(string message)
        : this(500, message)
    {
    }

    public GrafanaException(string message, Exception innerException)
        : base(message, innerException) => Status = 500;

    public GrafanaException(int status, string message, bool emptyBody = false)
        : base(message)
    {
        Status = status;
        EmptyBody = emptyBody;
    }

    /// <summary>HTTP status.</summary>
    public int Status { get; }

    /// <summary>Grafana answers some errors (a provisioning 404) with no body at all.</summary>
    public bool EmptyBody { get; }
}

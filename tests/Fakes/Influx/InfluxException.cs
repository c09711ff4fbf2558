namespace MetricsOperator.Fakes.Influx;

/// <summary>An error the fake answers as InfluxDB does: a status and an <c>Error</c> body with its code.</summary>
public sealed class InfluxException : Exception
{
    public InfluxException()
        : this(500, "internal error", "internal error")
    {
    }

    public InfluxException(string message)
        : this(500, "internal error", message)
    {
    }

    public InfluxException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 500;
        Code = "internal error";
    }

    public InfluxException(int status, string code, string message)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    /// <summary>HTTP status.</summary>
    public int Status { get; }

    /// <summary>InfluxDB's machine-readable error code ("not found", "conflict", "invalid"…).</summary>
    public string Code { get; }

    internal static InfluxException NotFound(string message) => new(404, "not found", message);

    internal static InfluxException Invalid(string message) => new(400, "invalid", message);

    internal static InfluxException Unauthorized(string message = "unauthorized access") => new(401, "unauthorized", message);
}

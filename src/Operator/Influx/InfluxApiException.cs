using System.Net;

namespace MetricsOperator.Influx;

/// <summary>How a call to InfluxDB failed, as far as the bootstrap step cares.</summary>
public enum InfluxFailure
{
    /// <summary>No answer: connection refused or reset, timeout, or a 5xx after the retries.</summary>
    Unreachable,

    /// <summary>401: the token is unknown, inactive, or lacks a permission.</summary>
    Unauthorized,

    /// <summary>404.</summary>
    NotFound,

    /// <summary>409 or 422 "conflict": already exists, or onboarding was already completed.</summary>
    Conflict,

    /// <summary>Any other 4xx: the request was refused as wrong (the message says why).</summary>
    Rejected,
}

/// <summary>
/// A failed InfluxDB call, wrapping whatever the SDK or the network threw. The message names the operation, the
/// status and InfluxDB's own message, with any token the client knows masked; the inner exception is kept off the
/// message (and off logs that print only the message) because SDK messages may quote request details.
/// </summary>
public sealed class InfluxApiException : Exception
{
    /// <summary>Creates an exception with the failure kind.</summary>
    public InfluxApiException(InfluxFailure failure, string operation, HttpStatusCode? status, string detail)
        : base($"InfluxDB {operation}: {(status is null ? string.Empty : $"{(int)status} ")}{detail}")
    {
        Failure = failure;
        Operation = operation;
        StatusCode = status;
    }

    /// <summary>Creates an exception (for serializers and analyzers; prefer the other constructor).</summary>
    public InfluxApiException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public InfluxApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public InfluxApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How it failed.</summary>
    public InfluxFailure Failure { get; }

    /// <summary>What was being done, e.g. <c>create authorization</c>.</summary>
    public string Operation { get; } = string.Empty;

    /// <summary>The HTTP status, when InfluxDB answered.</summary>
    public HttpStatusCode? StatusCode { get; }
}

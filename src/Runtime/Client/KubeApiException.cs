using System.Net;
using k8s.Models;

namespace MetricsOperator.Runtime.Client;

/// <summary>The API server answered a request with an error status. Branch on <see cref="StatusCode"/>, never on the message.</summary>
public class KubeApiException : Exception
{
    /// <summary>Creates an empty exception.</summary>
    public KubeApiException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public KubeApiException(string message) : base(message)
    {
    }

    /// <summary>Creates an exception with a message and cause.</summary>
    public KubeApiException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a failed request.</summary>
    public KubeApiException(HttpStatusCode statusCode, V1Status? status, string request)
        : base($"{request} failed: {(int)statusCode} {status?.Reason ?? statusCode.ToString()}: {status?.Message}")
    {
        StatusCode = statusCode;
        Status = status;
    }

    /// <summary>The HTTP status (or, for a watch ERROR event, the Status object's code).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The Status object the API server sent, when it sent one.</summary>
    public V1Status? Status { get; }

    /// <summary>410 Gone: the resourceVersion is too old (a watch must relist).</summary>
    public bool IsGone => StatusCode == HttpStatusCode.Gone;

    /// <summary>404 Not Found.</summary>
    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    /// <summary>409 Conflict (optimistic concurrency or already exists).</summary>
    public bool IsConflict => StatusCode == HttpStatusCode.Conflict;
}

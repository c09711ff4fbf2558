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

    /// <summary>
    /// An error of Grafana's <c>errutil</c> package (pkg/apimachinery/errutil): the body is its <c>PublicError</c>,
    /// <c>{"message", "messageId", "statusCode", "extra"}</c>; the message is the public one, or the status's name
    /// ("Not found", "Conflict") when the error has none (<c>Error.Public()</c>).
    /// </summary>
    public GrafanaException(int status, string messageId, string publicMessage, System.Text.Json.Nodes.JsonObject? extra = null)
        : base(publicMessage)
    {
        Status = status;
        MessageId = messageId;
        Extra = extra;
    }

    /// <summary>The errutil message ID, or null for a plain <c>{"message": …}</c> error.</summary>
    public string? MessageId { get; }

    /// <summary>The errutil public payload (<c>extra</c>), if any.</summary>
    public System.Text.Json.Nodes.JsonObject? Extra { get; }

    /// <summary>HTTP status.</summary>
    public int Status { get; }

    /// <summary>Grafana answers some errors (a provisioning 404) with no body at all.</summary>
    public bool EmptyBody { get; }
}

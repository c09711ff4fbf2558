using System.Net;

namespace MetricsOperator.Grafana;

/// <summary>
/// Grafana answered with an error, or could not be reached (<see cref="StatusCode"/> null: connection refused,
/// reset or timed out). The message names the operation and Grafana's own message, never a header or credential.
/// </summary>
public sealed class GrafanaApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrafanaApiException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public GrafanaApiException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public GrafanaApiException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an answer or a failure of <paramref name="operation"/>.</summary>
    public GrafanaApiException(string operation, HttpStatusCode? statusCode, string detail, Exception? innerException = null)
        : base(statusCode is { } s ? $"Grafana {operation}: {(int)s} {detail}" : $"Grafana {operation}: {detail}", innerException)
    {
        Operation = operation;
        StatusCode = statusCode;
        Detail = detail;
    }

    /// <summary>"PUT rule group gafaelfawr/…" and the like.</summary>
    public string Operation { get; } = "";

    /// <summary>The status Grafana answered, or null when it did not answer.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Grafana's message (or the transport's).</summary>
    public string Detail { get; } = "";

    /// <summary>
    /// True when Grafana is down, overloaded or slow (no answer, 5xx, 429): report <c>GrafanaUnavailable</c> and back
    /// off. False for answers that say the request itself is wrong (4xx).
    /// </summary>
    public bool IsUnavailable => StatusCode is null or >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    /// <summary>
    /// True when Grafana refused a rule because another rule of its folder has the same title (Grafana 11.4's
    /// <c>ErrAlertRuleUniqueConstraintViolation</c>: 409 on POST, 400 on the PUTs): from Grafana's message, or
    /// <see cref="TitleConflict"/>.
    /// </summary>
    public bool IsTitleConflict =>
        TitleConflict || (StatusCode is HttpStatusCode.Conflict or HttpStatusCode.BadRequest &&
        Detail.Contains(TitleConflictText, StringComparison.OrdinalIgnoreCase));

    /// <summary>Set when the caller established the conflict otherwise (a POST's 409 for a UID no rule has).</summary>
    public bool TitleConflict { get; init; }

    /// <summary>The part of Grafana's message that names a title conflict (pkg/services/ngalert/models).</summary>
    public const string TitleConflictText = "title under the same organisation and folder should be unique";
}

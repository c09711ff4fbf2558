namespace MetricsOperator.Alerts;

/// <summary>The reasons of an AppAlert's Ready and Synced conditions.</summary>
public static class AppAlertReasons
{
    /// <summary>Grafana holds every rule as specified.</summary>
    public const string Synced = "Synced";

    /// <summary>A rule (or the spec) cannot work; the message names the rule and field. Nothing changed unless partialSync.</summary>
    public const string InvalidRule = "InvalidRule";

    /// <summary>The stack does not exist, is ambiguous, is not Ready, or its Grafana credentials are not there yet.</summary>
    public const string StackNotReady = "StackNotReady";

    /// <summary>Grafana did not answer, timed out or answered 5xx: retried with backoff.</summary>
    public const string GrafanaUnavailable = "GrafanaUnavailable";

    /// <summary>Grafana refused the operator's credentials or a request (4xx): the message says what it answered.</summary>
    public const string GrafanaRejected = "GrafanaRejected";

    /// <summary>Grafana accepted the group but stores something else than was sent (the message names the fields).</summary>
    public const string Drifted = "Drifted";
}

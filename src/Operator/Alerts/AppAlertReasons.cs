namespace MetricsOperator.Alerts;

/// <summary>The reasons of an AppAlert's Ready and Synced conditions.</summary>
public static class AppAlertReasons
{
    /// <summary>Grafana holds every rule as specified.</summary>
    public const string Synced = "Synced";

    /// <summary>A rule (or the spec) cannot work; the message names the rule and field. Nothing changed unless partialSync.</summary>
    public const string InvalidRule = "InvalidRule";

    /// <summary>
    /// The stack's InfluxDB refused a query of a rule (a syntax error, an aggregate it cannot run): the message names the
    /// rule and field and quotes InfluxDB, and nothing of the AppAlert is written, with or without partialSync
    /// (docs/alerts.md, "Queries checked before sync").
    /// </summary>
    public const string InvalidQuery = "InvalidQuery";

    /// <summary>The stack does not exist, is ambiguous, is not Ready, or its Grafana credentials are not there yet.</summary>
    public const string StackNotReady = "StackNotReady";

    /// <summary>Grafana did not answer, timed out or answered 5xx: retried with backoff.</summary>
    public const string GrafanaUnavailable = "GrafanaUnavailable";

    /// <summary>Grafana refused the operator's credentials or a request (4xx): the message says what it answered.</summary>
    public const string GrafanaRejected = "GrafanaRejected";

    /// <summary>Grafana accepted the group but stores something else than was sent (the message names the fields).</summary>
    public const string Drifted = "Drifted";

    /// <summary>
    /// A rule's name (its Grafana title) is taken in the app's folder: by another AppAlert of the app that keeps it (the
    /// message names it and its rule), or by a rule in Grafana no AppAlert declares. Nothing of this AppAlert is written.
    /// </summary>
    public const string DuplicateRuleTitle = "DuplicateRuleTitle";

    /// <summary>The AppAlert is being deleted and its rule group could not be removed from Grafana yet (the message says why); retried with backoff.</summary>
    public const string DeletionBlocked = "DeletionBlocked";
}

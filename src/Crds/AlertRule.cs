using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// One Grafana alert rule. The short form, <c>query</c> and <c>condition</c>, is one query reduced to one number per
/// series and compared with a threshold. The long form, <c>queries</c>, <c>expressions</c> and <c>conditionRef</c>, is
/// Grafana's own model: named queries, each over its own time range, and server-side expressions over them.
/// </summary>
[ExactlyOneOf("query", "queries")]
public sealed class AlertRule
{
    /// <summary>Name of the rule, unique in the AppAlert; the rule's title in Grafana.</summary>
    [Required]
    [JsonPropertyName("name")]
    [MinLength(1)]
    [MaxLength(190)]
    [Pattern("^[A-Za-z0-9][A-Za-z0-9 _.-]*$")]
    public string Name { get; set; } = "";

    /// <summary>Short form: the query that produces the series to check (Grafana step <c>A</c>). Requires condition.</summary>
    [JsonPropertyName("query")]
    public AlertQuery? Query { get; set; }

    /// <summary>Short form: when a series of the query is firing (Grafana steps <c>B</c>, the reducer, and <c>C</c>, the comparison).</summary>
    [JsonPropertyName("condition")]
    public AlertCondition? Condition { get; set; }

    /// <summary>Long form: the named queries, each a Grafana query step. Requires conditionRef.</summary>
    [JsonPropertyName("queries")]
    [ListMap("name")]
    [MinItems(1)]
    [MaxItems(10)]
    public IList<NamedAlertQuery>? Queries { get; set; }

    /// <summary>Long form: Grafana server-side expressions over the queries and over each other, each named.</summary>
    [JsonPropertyName("expressions")]
    [ListMap("name")]
    [MaxItems(20)]
    public IList<AlertExpression>? Expressions { get; set; }

    /// <summary>Long form: the name of the query or expression whose result decides firing (non-zero fires); Grafana's condition.</summary>
    [JsonPropertyName("conditionRef")]
    [Pattern(Patterns.AlertStepName)]
    public string? ConditionRef { get; set; }

    /// <summary>How long the condition must hold before the alert fires, e.g. <c>5m</c> (the default); <c>0s</c> fires at once.</summary>
    [JsonPropertyName("for")]
    [Default("5m")]
    [Pattern(Patterns.Duration)]
    public string? For { get; set; }

    /// <summary>Severity, set as the <c>severity</c> label: critical, warning (the default) or info.</summary>
    [JsonPropertyName("severity")]
    [Default("warning")]
    public AlertSeverity? Severity { get; set; }

    /// <summary>One-line summary shown in notifications (the <c>summary</c> annotation). Grafana templates such as <c>{{ $labels.host }}</c> may be used.</summary>
    [JsonPropertyName("summary")]
    [MaxLength(1024)]
    public string? Summary { get; set; }

    /// <summary>Longer description of what is wrong and what to do (the <c>description</c> annotation).</summary>
    [JsonPropertyName("description")]
    [MaxLength(8192)]
    public string? Description { get; set; }

    /// <summary>Link to the runbook (the <c>runbook_url</c> annotation).</summary>
    [JsonPropertyName("runbookUrl")]
    [Pattern(Patterns.HttpUrl)]
    public string? RunbookUrl { get; set; }

    /// <summary>A dashboard panel to link from the alert (Grafana's <c>__dashboardUid__</c> and <c>__panelId__</c> annotations).</summary>
    [JsonPropertyName("panel")]
    public AlertPanelLink? Panel { get; set; }

    /// <summary>
    /// Where this rule's notifications go, overriding the AppAlert's contact point and the stack's policy tree
    /// (Grafana's per-rule notification settings).
    /// </summary>
    [JsonPropertyName("notification")]
    public AlertNotification? Notification { get; set; }

    /// <summary>Extra labels on the rule, for notification routing and silences. <c>app</c> and <c>severity</c> are set by the operator and cannot be overridden.</summary>
    [JsonPropertyName("labels")]
    public IDictionary<string, string>? Labels { get; set; }

    /// <summary>State when the query returns no data: NoData (the default), Alerting or OK.</summary>
    [JsonPropertyName("noDataState")]
    [Default("NoData")]
    public NoDataState? NoDataState { get; set; }

    /// <summary>State when the query fails or times out: Error (the default), Alerting or OK.</summary>
    [JsonPropertyName("execErrState")]
    [Default("Error")]
    public ExecErrState? ExecErrState { get; set; }
}

/// <summary>How urgent an alert is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertSeverity>))]
public enum AlertSeverity
{
    /// <summary>Someone must act now.</summary>
    [JsonStringEnumMemberName("critical")]
    Critical,

    /// <summary>Someone should look soon.</summary>
    [JsonStringEnumMemberName("warning")]
    Warning,

    /// <summary>For information only.</summary>
    [JsonStringEnumMemberName("info")]
    Info,
}

/// <summary>Grafana's state for a rule whose query returns no data (Grafana's noDataState).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NoDataState>))]
public enum NoDataState
{
    /// <summary>A separate NoData state that notifies as "DatasourceNoData".</summary>
    NoData,

    /// <summary>Treat no data as firing.</summary>
    Alerting,

    /// <summary>Treat no data as fine.</summary>
    [JsonStringEnumMemberName("OK")]
    Ok,
}

/// <summary>Grafana's state for a rule whose query fails (Grafana's execErrState).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExecErrState>))]
public enum ExecErrState
{
    /// <summary>A separate Error state that notifies as "DatasourceError".</summary>
    Error,

    /// <summary>Treat an error as firing.</summary>
    Alerting,

    /// <summary>Treat an error as fine.</summary>
    [JsonStringEnumMemberName("OK")]
    Ok,
}

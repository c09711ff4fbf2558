using System.Text.Json.Serialization;
using k8s.Models;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>AppAlertStatus is the observed state of an app's alert rules in Grafana, written by the operator.</summary>
public sealed class AppAlertStatus
{
    /// <summary>The metadata.generation of the spec this status describes.</summary>
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    /// <summary>Conditions: Ready (valid and in Grafana) and Synced (Grafana holds exactly this generation's rules).</summary>
    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }

    /// <summary>Where the rules are in Grafana.</summary>
    [JsonPropertyName("grafana")]
    public GrafanaRuleGroupStatus? Grafana { get; set; }

    /// <summary>How many rules the spec declares (shown by kubectl get).</summary>
    [JsonPropertyName("ruleCount")]
    public int? RuleCount { get; set; }

    /// <summary>How many of them Grafana holds as declared (shown by kubectl get).</summary>
    [JsonPropertyName("syncedCount")]
    public int? SyncedCount { get; set; }

    /// <summary>Each rule's Grafana UID and sync state.</summary>
    [JsonPropertyName("rules")]
    [ListMap("name")]
    public IList<AlertRuleStatus>? Rules { get; set; }
}

/// <summary>
/// Where the AppAlert's rule group was last written: the stack whose Grafana holds it, that Grafana's URL, the folder and
/// the group. Cleanup (a changed stackRef, the AppAlert's deletion) goes by this record, not by the spec.
/// </summary>
public sealed class GrafanaRuleGroupStatus
{
    /// <summary>The MetricsStack whose Grafana holds the group, as <c>namespace/name</c>.</summary>
    [JsonPropertyName("stack")]
    public string? Stack { get; set; }

    /// <summary>The URL of that Grafana when the group was written.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; set; }

    /// <summary>UID of the app's Grafana folder.</summary>
    [JsonPropertyName("folderUid")]
    public string? FolderUid { get; set; }

    /// <summary>Name of the AppAlert's rule group in that folder.</summary>
    [JsonPropertyName("ruleGroup")]
    public string? RuleGroup { get; set; }
}

/// <summary>One rule's state in Grafana.</summary>
public sealed class AlertRuleStatus
{
    /// <summary>Name of the rule, as in spec.rules.</summary>
    [Required]
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    /// <summary>UID of the rule in Grafana (deterministic, at most 40 characters).</summary>
    [JsonPropertyName("uid")]
    public string? Uid { get; set; }

    /// <summary>Whether Grafana holds this rule as specified.</summary>
    [JsonPropertyName("synced")]
    public bool? Synced { get; set; }

    /// <summary>Why the rule is not synced, e.g. the field that is invalid.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>
    /// What the stack's InfluxDB said about the rule's queries before sync, and when: data or no data in the last 5
    /// minutes (no data is fine: a new app has written nothing yet), refused (quoting InfluxDB), or not checked and why.
    /// Grafana accepts any query text, so this is the only place a query's errors show before the rule evaluates.
    /// </summary>
    [JsonPropertyName("queryCheck")]
    public string? QueryCheck { get; set; }
}

using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>AppAlertSpec is the desired set of Grafana alert rules of one app: one rule group in the app's folder.</summary>
public sealed class AppAlertSpec
{
    /// <summary>The MetricsStack whose Grafana gets the rules. Left out, the cluster's only MetricsStack; with several, it must be given.</summary>
    [JsonPropertyName("stackRef")]
    public StackReference? StackRef { get; set; }

    /// <summary>Name of the app: the Grafana folder the rules go in and the <c>app</c> label on every rule. Left out, the AppAlert's namespace.</summary>
    [JsonPropertyName("app")]
    [Pattern(Patterns.DnsLabel)]
    [MaxLength(63)]
    public string? App { get; set; }

    /// <summary>How often Grafana evaluates the rules: a positive multiple of 10 seconds, e.g. <c>30s</c>, <c>1m</c> (the default), <c>1m30s</c>.</summary>
    [JsonPropertyName("interval")]
    [Default("1m")]
    [MinLength(2)]
    [Pattern(Patterns.GrafanaInterval)]
    public string? Interval { get; set; }

    /// <summary>The stack's contact point the rules notify, by name. Left out, the stack's defaultContactPoint.</summary>
    [JsonPropertyName("contactPoint")]
    [MinLength(1)]
    [MaxLength(190)]
    public string? ContactPoint { get; set; }

    /// <summary>
    /// false (the default): one invalid rule keeps the whole group out of Grafana, so Grafana never holds half an
    /// AppAlert. true: valid rules are synced and invalid ones are reported in status.rules.
    /// </summary>
    [JsonPropertyName("partialSync")]
    [Default(false)]
    public bool? PartialSync { get; set; }

    /// <summary>
    /// Let people edit the rules in Grafana's UI (provisioned without provenance). Edits are still put back to
    /// this spec on the next resync; this only unlocks the UI for experiments.
    /// </summary>
    [JsonPropertyName("editableInGrafana")]
    [Default(false)]
    public bool? EditableInGrafana { get; set; }

    /// <summary>The alert rules, each with a name unique in this AppAlert.</summary>
    [Required]
    [JsonPropertyName("rules")]
    [ListMap("name")]
    [MinItems(1)]
    [MaxItems(100)]
    public IList<AlertRule> Rules { get; set; } = [];
}

/// <summary>A MetricsStack by name and namespace.</summary>
public sealed class StackReference
{
    /// <summary>Name of the MetricsStack.</summary>
    [Required]
    [JsonPropertyName("name")]
    [Pattern(Patterns.ObjectName)]
    [MaxLength(253)]
    public string Name { get; set; } = "";

    /// <summary>Namespace of the MetricsStack. Left out, the AppAlert's own namespace.</summary>
    [JsonPropertyName("namespace")]
    [Pattern(Patterns.DnsLabel)]
    [MaxLength(63)]
    public string? Namespace { get; set; }
}

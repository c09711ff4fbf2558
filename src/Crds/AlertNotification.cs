using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// One rule's notification settings (Grafana's <c>notification_settings</c>): its alerts go straight to the contact
/// point, past the stack's notification policy tree.
/// </summary>
public sealed class AlertNotification
{
    /// <summary>The stack's contact point this rule notifies, by name.</summary>
    [Required]
    [JsonPropertyName("contactPoint")]
    [MinLength(1)]
    [MaxLength(190)]
    public string ContactPoint { get; set; } = "";

    /// <summary>
    /// Labels alerts are grouped by in one notification. Must hold <c>alertname</c> and <c>grafana_folder</c>, or be
    /// <c>...</c> alone (no grouping). Left out, Grafana's default: alertname and grafana_folder.
    /// </summary>
    [JsonPropertyName("groupBy")]
    [MaxItems(20)]
    public IList<string>? GroupBy { get; set; }

    /// <summary>Mute timings of the stack's Grafana, by name, during which this rule's notifications are muted.</summary>
    [JsonPropertyName("muteTimings")]
    [MaxItems(20)]
    public IList<string>? MuteTimings { get; set; }
}

/// <summary>The dashboard panel an alert links to.</summary>
public sealed class AlertPanelLink
{
    /// <summary>UID of the Grafana dashboard.</summary>
    [Required]
    [JsonPropertyName("dashboardUid")]
    [MinLength(1)]
    [MaxLength(40)]
    [Pattern("^[A-Za-z0-9_-]+$")]
    public string DashboardUid { get; set; } = "";

    /// <summary>ID of the panel in that dashboard; left out, the alert links to the whole dashboard.</summary>
    [JsonPropertyName("panelId")]
    [Minimum(1)]
    public long? PanelId { get; set; }
}

using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// A notification route of the stack: alerts whose labels match every matcher go to a contact point. Routes are tried
/// in order after the AppAlerts' own routes (an AppAlert's contactPoint is more specific); the first that matches
/// wins unless it sets continue.
/// </summary>
public sealed class NotificationRouteSpec
{
    /// <summary>Label matchers, all of which must match (e.g. <c>{label: team, operator: "=", value: sqre}</c>). Any label a rule carries can be matched, including one an AppAlert sets in its rules' labels.</summary>
    [Required]
    [JsonPropertyName("matchers")]
    [MinItems(1)]
    public IList<LabelMatcher> Matchers { get; set; } = [];

    /// <summary>The contact point matching alerts go to. Must be one of spec.grafana.contactPoints.</summary>
    [Required]
    [JsonPropertyName("contactPoint")]
    [MinLength(1)]
    [MaxLength(190)]
    public string ContactPoint { get; set; } = "";

    /// <summary>Labels alerts are grouped by in one notification; the root's (grafana_folder, alertname) when left out. <c>...</c> groups by every label.</summary>
    [JsonPropertyName("groupBy")]
    public IList<string>? GroupBy { get; set; }

    /// <summary>How long to wait before the first notification of a new group (Grafana's default 30s when left out).</summary>
    [JsonPropertyName("groupWait")]
    [Pattern(Patterns.Duration)]
    public string? GroupWait { get; set; }

    /// <summary>How long to wait before notifying about new alerts of a group already notified (default 5m).</summary>
    [JsonPropertyName("groupInterval")]
    [Pattern(Patterns.Duration)]
    public string? GroupInterval { get; set; }

    /// <summary>How long to wait before notifying again about alerts still firing (default 4h).</summary>
    [JsonPropertyName("repeatInterval")]
    [Pattern(Patterns.Duration)]
    public string? RepeatInterval { get; set; }

    /// <summary>Names of spec.grafana.muteTimings during which this route sends nothing.</summary>
    [JsonPropertyName("muteTimings")]
    public IList<string>? MuteTimings { get; set; }

    /// <summary>Whether the routes after this one are tried too when it matched (false by default: the first match wins).</summary>
    [JsonPropertyName("continue")]
    public bool? Continue { get; set; }
}

/// <summary>One label matcher of a route, as Grafana's object_matchers take it.</summary>
public sealed class LabelMatcher
{
    /// <summary>The label's name, e.g. <c>team</c> or <c>severity</c>.</summary>
    [Required]
    [JsonPropertyName("label")]
    [Pattern("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    public string Label { get; set; } = "";

    /// <summary>How the label is compared: <c>=</c>, <c>!=</c>, <c>=~</c> (regular expression, anchored) or <c>!~</c>.</summary>
    [Required]
    [JsonPropertyName("operator")]
    public MatchOperator Operator { get; set; }

    /// <summary>The value, or the regular expression for <c>=~</c> and <c>!~</c> (RE2 syntax, matched against the whole value).</summary>
    [Required]
    [JsonPropertyName("value")]
    public string Value { get; set; } = "";
}

/// <summary>Alertmanager's matcher operators, which Grafana's routes use.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MatchOperator>))]
public enum MatchOperator
{
    /// <summary>The label equals the value.</summary>
    [JsonStringEnumMemberName("=")]
    Equal,

    /// <summary>The label differs from the value (or is absent).</summary>
    [JsonStringEnumMemberName("!=")]
    NotEqual,

    /// <summary>The label matches the regular expression.</summary>
    [JsonStringEnumMemberName("=~")]
    Regex,

    /// <summary>The label does not match the regular expression.</summary>
    [JsonStringEnumMemberName("!~")]
    NotRegex,
}

/// <summary>
/// A notification template: Go text/template text defining names (<c>{{ define "slack.title" }}…{{ end }}</c>) that
/// contact points' title and text use with <c>{{ template "slack.title" . }}</c>. Text without a define is defined
/// under the template's name in Grafana (the name carries the environment when spec.environment is set).
/// </summary>
public sealed class NotificationTemplateSpec
{
    /// <summary>The template's name in the spec.</summary>
    [Required]
    [JsonPropertyName("name")]
    [MinLength(1)]
    [MaxLength(150)]
    [Pattern("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    public string Name { get; set; } = "";

    /// <summary>The template text (Go text/template, as Grafana takes it).</summary>
    [Required]
    [JsonPropertyName("template")]
    [MinLength(1)]
    public string Template { get; set; } = "";
}

/// <summary>A mute timing: named time intervals during which the routes naming it send no notifications.</summary>
public sealed class MuteTimingSpec
{
    /// <summary>The mute timing's name, which routes refer to.</summary>
    [Required]
    [JsonPropertyName("name")]
    [MinLength(1)]
    [MaxLength(150)]
    [Pattern("^[A-Za-z0-9][A-Za-z0-9 _.-]*$")]
    public string Name { get; set; } = "";

    /// <summary>The intervals; the timing is active when any of them is.</summary>
    [Required]
    [JsonPropertyName("timeIntervals")]
    [MinItems(1)]
    public IList<TimeIntervalSpec> TimeIntervals { get; set; } = [];
}

/// <summary>An interval of a mute timing, as Alertmanager's time_intervals: every field given must match (fields left out match always).</summary>
public sealed class TimeIntervalSpec
{
    /// <summary>Times of day.</summary>
    [JsonPropertyName("times")]
    public IList<TimeOfDayRange>? Times { get; set; }

    /// <summary>Days of the week, names or ranges, e.g. <c>saturday</c>, <c>monday:friday</c>.</summary>
    [JsonPropertyName("weekdays")]
    public IList<string>? Weekdays { get; set; }

    /// <summary>Days of the month, numbers or ranges; negative counts from the end (<c>1:5</c>, <c>-1</c>).</summary>
    [JsonPropertyName("daysOfMonth")]
    public IList<string>? DaysOfMonth { get; set; }

    /// <summary>Months, names or numbers or ranges (<c>january:march</c>, <c>12</c>).</summary>
    [JsonPropertyName("months")]
    public IList<string>? Months { get; set; }

    /// <summary>Years or ranges (<c>2026:2027</c>).</summary>
    [JsonPropertyName("years")]
    public IList<string>? Years { get; set; }

    /// <summary>IANA time zone the times are in (UTC when left out), e.g. <c>America/Santiago</c>.</summary>
    [JsonPropertyName("location")]
    public string? Location { get; set; }
}

/// <summary>A range of the day, from startTime (inclusive) to endTime (exclusive), <c>HH:MM</c> (<c>24:00</c> allowed as an end).</summary>
public sealed class TimeOfDayRange
{
    /// <summary>Start, <c>HH:MM</c>.</summary>
    [Required]
    [JsonPropertyName("startTime")]
    [Pattern("^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    public string StartTime { get; set; } = "";

    /// <summary>End, <c>HH:MM</c>, after the start.</summary>
    [Required]
    [JsonPropertyName("endTime")]
    [Pattern("^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    public string EndTime { get; set; } = "";
}

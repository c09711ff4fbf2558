using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MetricsOperator.Grafana;

// Typed shapes of what the operator sends to and reads from Grafana's HTTP API, named as in
// ../shared/contracts/grafana/openapi3.json. Only the fields the operator uses; unknown fields Grafana returns are
// ignored on read. Null members are left out on write (the contract refuses null where it does not say nullable).

/// <summary><c>GET /api/health</c>.</summary>
public sealed record GrafanaHealth
{
    /// <summary>"ok" when Grafana reaches its database.</summary>
    [JsonPropertyName("database")]
    public string? Database { get; init; }

    /// <summary>Grafana's version, e.g. 11.4.0.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }
}

/// <summary>A folder (<c>Folder</c>, or a hit of <c>GET /api/folders</c>).</summary>
public sealed record GrafanaFolder
{
    /// <summary>The folder's UID.</summary>
    [JsonPropertyName("uid")]
    public string Uid { get; init; } = "";

    /// <summary>The folder's title.</summary>
    [JsonPropertyName("title")]
    public string Title { get; init; } = "";
}

/// <summary><c>CreateFolderCommand</c>.</summary>
public sealed record CreateFolderCommand
{
    /// <summary>The UID to create the folder with.</summary>
    [JsonPropertyName("uid")]
    public required string Uid { get; init; }

    /// <summary>The folder's title.</summary>
    [JsonPropertyName("title")]
    public required string Title { get; init; }
}

/// <summary>A hit of <c>GET /api/search</c>.</summary>
public sealed record GrafanaSearchHit
{
    /// <summary>UID of the dashboard or folder.</summary>
    [JsonPropertyName("uid")]
    public string Uid { get; init; } = "";

    /// <summary><c>dash-db</c> or <c>dash-folder</c>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }
}

/// <summary>A datasource as <c>GET /api/datasources/uid/{uid}</c> returns it (no secrets: those are write-only).</summary>
public sealed record GrafanaDatasource
{
    /// <summary>The datasource's UID.</summary>
    [JsonPropertyName("uid")]
    public string Uid { get; init; } = "";

    /// <summary>The datasource's name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>The plugin type, e.g. <c>influxdb</c>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary><c>proxy</c> (Grafana's server queries the datasource) or <c>direct</c>.</summary>
    [JsonPropertyName("access")]
    public string? Access { get; init; }

    /// <summary>Where the datasource is.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; init; }

    /// <summary>The plugin's settings.</summary>
    [JsonPropertyName("jsonData")]
    public JsonObject? JsonData { get; init; }

    /// <summary>Which secure settings are set (their values are never returned).</summary>
    [JsonPropertyName("secureJsonFields")]
    public Dictionary<string, bool>? SecureJsonFields { get; init; }
}

/// <summary>
/// <c>AddDataSourceCommand</c> / <c>UpdateDataSourceCommand</c>: a datasource as the operator creates or replaces it.
/// <see cref="SecureJsonData"/> holds a token: it is only ever serialized into the request body, never printed.
/// </summary>
public sealed record DataSourceCommand
{
    /// <summary>The datasource's UID.</summary>
    [JsonPropertyName("uid")]
    public required string Uid { get; init; }

    /// <summary>The datasource's name (unique in the organisation).</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The plugin type, e.g. <c>influxdb</c>.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary><c>proxy</c>: Grafana's server queries the datasource.</summary>
    [JsonPropertyName("access")]
    public string Access { get; init; } = "proxy";

    /// <summary>Where the datasource is.</summary>
    [JsonPropertyName("url")]
    public required string Url { get; init; }

    /// <summary>The plugin's settings.</summary>
    [JsonPropertyName("jsonData")]
    public required JsonObject JsonData { get; init; }

    /// <summary>The plugin's secret settings (write-only in Grafana).</summary>
    [JsonPropertyName("secureJsonData")]
    public Dictionary<string, string>? SecureJsonData { get; init; }

    // A record prints every member: leave the secret settings' values out of any string made of it.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Uid = {Uid}, Name = {Name}, Type = {Type}, Url = {Url}, SecureJsonData = [{string.Join(", ", SecureJsonData?.Keys ?? Enumerable.Empty<string>())}]");
        return true;
    }
}

/// <summary><c>ProvisionedAlertRule</c>: one alert rule as the provisioning API takes and returns it.</summary>
public sealed record ProvisionedAlertRule
{
    /// <summary>The rule's UID (at most 40 of [A-Za-z0-9_-]).</summary>
    [JsonPropertyName("uid")]
    public string? Uid { get; init; }

    /// <summary>Always 1: the operator uses the service account's organisation.</summary>
    [JsonPropertyName("orgID")]
    public long OrgId { get; init; } = 1;

    /// <summary>UID of the folder holding the rule's group.</summary>
    [JsonPropertyName("folderUID")]
    public string FolderUid { get; init; } = "";

    /// <summary>Name of the rule group (at most 190 characters).</summary>
    [JsonPropertyName("ruleGroup")]
    public string RuleGroup { get; init; } = "";

    /// <summary>Title (at most 190 characters).</summary>
    [JsonPropertyName("title")]
    public string Title { get; init; } = "";

    /// <summary>refId of the query or expression whose result decides firing.</summary>
    [JsonPropertyName("condition")]
    public string Condition { get; init; } = "";

    /// <summary>The queries and expressions.</summary>
    [JsonPropertyName("data")]
    public IReadOnlyList<AlertQuery> Data { get; init; } = [];

    /// <summary>NoData, Alerting or OK.</summary>
    [JsonPropertyName("noDataState")]
    public string NoDataState { get; init; } = "NoData";

    /// <summary>Error, Alerting or OK.</summary>
    [JsonPropertyName("execErrState")]
    public string ExecErrState { get; init; } = "Error";

    /// <summary>Pending period as a Prometheus duration (Grafana stores "300s" as "5m").</summary>
    [JsonPropertyName("for")]
    public string For { get; init; } = "0s";

    /// <summary>Annotations (summary, description, runbook_url); Grafana leaves an empty map out.</summary>
    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Labels; Grafana leaves an empty map out.</summary>
    [JsonPropertyName("labels")]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Whether evaluation is paused.</summary>
    [JsonPropertyName("isPaused")]
    public bool IsPaused { get; init; }

    /// <summary>Where the rule's notifications go, past the notification policy tree; null: the tree routes them.</summary>
    [JsonPropertyName("notification_settings")]
    public AlertRuleNotificationSettings? NotificationSettings { get; init; }

    /// <summary>"api" when provisioned (read-only in the UI), empty when editable. Read only.</summary>
    [JsonPropertyName("provenance")]
    public string? Provenance { get; init; }
}

/// <summary><c>AlertRuleNotificationSettings</c>: one rule's contact point, grouping and mute timings.</summary>
public sealed record AlertRuleNotificationSettings
{
    /// <summary>Name of the contact point.</summary>
    [JsonPropertyName("receiver")]
    public string Receiver { get; init; } = "";

    /// <summary>Labels alerts are grouped by; null: Grafana's default (alertname, grafana_folder).</summary>
    [JsonPropertyName("group_by")]
    public IReadOnlyList<string>? GroupBy { get; init; }

    /// <summary>Names of mute timings; null: none.</summary>
    [JsonPropertyName("mute_time_intervals")]
    public IReadOnlyList<string>? MuteTimeIntervals { get; init; }
}

/// <summary><c>AlertQuery</c>: a query against a datasource, or a server-side expression (<c>__expr__</c>).</summary>
public sealed record AlertQuery
{
    /// <summary>The name other expressions and the rule's condition refer to.</summary>
    [JsonPropertyName("refId")]
    public string RefId { get; init; } = "";

    /// <summary>An optional query type.</summary>
    [JsonPropertyName("queryType")]
    public string? QueryType { get; init; }

    /// <summary>The datasource's UID, or <c>__expr__</c>.</summary>
    [JsonPropertyName("datasourceUid")]
    public string DatasourceUid { get; init; } = "";

    /// <summary>The time range the query reads, in seconds before now.</summary>
    [JsonPropertyName("relativeTimeRange")]
    public RelativeTimeRange? RelativeTimeRange { get; init; }

    /// <summary>The datasource-specific query (free-form JSON).</summary>
    [JsonPropertyName("model")]
    public JsonObject Model { get; init; } = [];
}

/// <summary><c>RelativeTimeRange</c>, in seconds before now (Grafana's JSON; the contract calls it a Duration).</summary>
public sealed record RelativeTimeRange
{
    /// <summary>Start, seconds before now.</summary>
    [JsonPropertyName("from")]
    public long From { get; init; }

    /// <summary>End, seconds before now.</summary>
    [JsonPropertyName("to")]
    public long To { get; init; }
}

/// <summary><c>AlertRuleGroup</c>: a folder's named group of rules evaluated together every <see cref="Interval"/> seconds.</summary>
public sealed record AlertRuleGroup
{
    /// <summary>The group's name (from the path on a PUT).</summary>
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    /// <summary>The folder's UID (from the path on a PUT).</summary>
    [JsonPropertyName("folderUid")]
    public string? FolderUid { get; init; }

    /// <summary>Evaluation interval in seconds: a positive multiple of 10.</summary>
    [JsonPropertyName("interval")]
    public long Interval { get; init; }

    /// <summary>The whole group: a PUT deletes rules that are not in it.</summary>
    [JsonPropertyName("rules")]
    public IReadOnlyList<ProvisionedAlertRule> Rules { get; init; } = [];
}

/// <summary><c>EmbeddedContactPoint</c>.</summary>
public sealed record EmbeddedContactPoint
{
    /// <summary>The contact point's UID.</summary>
    [JsonPropertyName("uid")]
    public string? Uid { get; init; }

    /// <summary>The name policies route to.</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    /// <summary>The integration: slack, email, webhook…</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = "";

    /// <summary>The integration's settings; Grafana returns secret ones as <c>[REDACTED]</c>.</summary>
    [JsonPropertyName("settings")]
    public JsonObject Settings { get; init; } = [];

    /// <summary>Whether resolved alerts are not notified.</summary>
    [JsonPropertyName("disableResolveMessage")]
    public bool DisableResolveMessage { get; init; }

    /// <summary>"api" when provisioned. Read only: never sent.</summary>
    [JsonPropertyName("provenance")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Provenance { get; init; }
}

/// <summary><c>Route</c>: a node of the notification policy tree.</summary>
public sealed record NotificationRoute
{
    /// <summary>The contact point notified.</summary>
    [JsonPropertyName("receiver")]
    public string? Receiver { get; init; }

    /// <summary>Labels alerts are grouped by.</summary>
    [JsonPropertyName("group_by")]
    public IReadOnlyList<string>? GroupBy { get; init; }

    /// <summary>Matchers as <c>[name, operator, value]</c> triples.</summary>
    [JsonPropertyName("object_matchers")]
    public IReadOnlyList<IReadOnlyList<string>>? ObjectMatchers { get; init; }

    /// <summary>Whether later sibling routes are tried after this one matched.</summary>
    [JsonPropertyName("continue")]
    public bool? Continue { get; init; }

    /// <summary>Wait before the first notification of a group (a Prometheus duration).</summary>
    [JsonPropertyName("group_wait")]
    public string? GroupWait { get; init; }

    /// <summary>Wait before notifying new alerts of a notified group.</summary>
    [JsonPropertyName("group_interval")]
    public string? GroupInterval { get; init; }

    /// <summary>Wait before notifying again alerts still firing.</summary>
    [JsonPropertyName("repeat_interval")]
    public string? RepeatInterval { get; init; }

    /// <summary>Names of the mute timings during which the route is silent.</summary>
    [JsonPropertyName("mute_time_intervals")]
    public IReadOnlyList<string>? MuteTimeIntervals { get; init; }

    /// <summary>Child routes.</summary>
    [JsonPropertyName("routes")]
    public IReadOnlyList<NotificationRoute>? Routes { get; init; }

    /// <summary>"api" when provisioned. Read only: cleared before sending.</summary>
    [JsonPropertyName("provenance")]
    public string? Provenance { get; init; }

    /// <summary>
    /// Every field of a stored route this type does not name (matchers, match_re, active_time_intervals…), kept so a
    /// route another environment or a person made is written back exactly as read.
    /// </summary>
    /// <remarks>Settable, not init-only: source-generated JSON sets init-only properties through the constructor, and
    /// System.Text.Json cannot bind extension data there.</remarks>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary><c>NotificationTemplate</c>: a named group of template definitions.</summary>
public sealed record NotificationTemplate
{
    /// <summary>The template's name.</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    /// <summary>The text as Grafana stores it (trimmed, wrapped in a define of the name when it had none).</summary>
    [JsonPropertyName("template")]
    public string Template { get; init; } = "";

    /// <summary>"api" when provisioned. Read only.</summary>
    [JsonPropertyName("provenance")]
    public string? Provenance { get; init; }
}

/// <summary><c>MuteTimeInterval</c>: a named set of Alertmanager time intervals.</summary>
public sealed record MuteTiming
{
    /// <summary>The mute timing's name, which routes name.</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    /// <summary>The intervals, as Alertmanager's <c>time_intervals</c> (free-form: times, weekdays, days_of_month, months, years, location).</summary>
    [JsonPropertyName("time_intervals")]
    public JsonArray? TimeIntervals { get; init; }

    /// <summary>"api" when provisioned. Read only: never sent.</summary>
    [JsonPropertyName("provenance")]
    public string? Provenance { get; init; }
}

/// <summary><c>NotificationTemplateContent</c>: the body of a template PUT.</summary>
public sealed record NotificationTemplateContent
{
    /// <summary>The template text.</summary>
    [JsonPropertyName("template")]
    public string Template { get; init; } = "";
}

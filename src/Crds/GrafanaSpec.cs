using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>Grafana: where dashboards live and all alerting happens.</summary>
public sealed class GrafanaSpec
{
    /// <summary>managed (the default): the operator runs Grafana in this namespace. external: the operator configures an existing Grafana at url.</summary>
    [JsonPropertyName("mode")]
    [Default("managed")]
    public GrafanaMode? Mode { get; set; }

    /// <summary>Container image of Grafana 11 or 12. Used only in managed mode.</summary>
    [JsonPropertyName("image")]
    [Default("docker.io/grafana/grafana:11.4.0")]
    [Pattern(Patterns.Image)]
    public string? Image { get; set; }

    /// <summary>Base URL of the external Grafana, e.g. <c>https://grafana.example.org</c>. Required in external mode; must be left out in managed mode (the operator knows its own Grafana's address).</summary>
    [JsonPropertyName("url")]
    [Pattern(Patterns.HttpUrl)]
    public string? Url { get; set; }

    /// <summary>
    /// Secret with the credentials for the external Grafana: a service-account token under <c>token</c>, or
    /// <c>username</c> and <c>password</c>. Required in external mode; in managed mode the operator makes its own.
    /// </summary>
    [JsonPropertyName("credentialsSecret")]
    public SecretReference? CredentialsSecret { get; set; }

    /// <summary>Which InfluxDB datasources are provisioned in Grafana (both by default), each reading the shared bucket with a read-only token.</summary>
    [JsonPropertyName("datasources")]
    [DefaultEmptyObject]
    public GrafanaDatasourcesSpec? Datasources { get; set; }

    /// <summary>
    /// Trickster as a dashboard query cache in front of InfluxDB (managed Grafana only). Left out or not enabled,
    /// dashboards query InfluxDB directly. Alert rules always do.
    /// </summary>
    [JsonPropertyName("cache")]
    public DashboardCacheSpec? Cache { get; set; }

    /// <summary>Where alert notifications go. AppAlerts name one of these; each name must be unique.</summary>
    [JsonPropertyName("contactPoints")]
    [ListMap("name")]
    public IList<ContactPoint>? ContactPoints { get; set; }

    /// <summary>The contact point of the root notification policy, used by AppAlerts that name none. Must be one of contactPoints.</summary>
    [JsonPropertyName("defaultContactPoint")]
    [MinLength(1)]
    [MaxLength(190)]
    public string? DefaultContactPoint { get; set; }

    /// <summary>
    /// Notification routes on any label the rules carry (e.g. <c>team</c>), tried in order after the AppAlerts' own
    /// routes and before the default contact point.
    /// </summary>
    [JsonPropertyName("routes")]
    public IList<NotificationRouteSpec>? Routes { get; set; }

    /// <summary>Notification templates the contact points' title and text use; each name must be unique.</summary>
    [JsonPropertyName("templates")]
    [ListMap("name")]
    public IList<NotificationTemplateSpec>? Templates { get; set; }

    /// <summary>Mute timings routes can name; each name must be unique.</summary>
    [JsonPropertyName("muteTimings")]
    [ListMap("name")]
    public IList<MuteTimingSpec>? MuteTimings { get; set; }

    /// <summary>Compute resources of the Grafana container in managed mode.</summary>
    [JsonPropertyName("resources")]
    public ResourceRequirements? Resources { get; set; }

    /// <summary>
    /// Placement and scheduling of the Grafana pod: nodeSelector, tolerations, affinity,
    /// priorityClassName, annotations. Used only in managed mode, like image and resources.
    /// </summary>
    [JsonPropertyName("pod")]
    public PodSettings? Pod { get; set; }

    /// <summary>An Ingress for the managed Grafana, with Grafana's public URL set to match. None by default.</summary>
    [JsonPropertyName("ingress")]
    public GrafanaIngressSpec? Ingress { get; set; }

    /// <summary>Sign-in by an authenticating proxy's header (e.g. Gafaelfawr) instead of Grafana's login form. Off by default.</summary>
    [JsonPropertyName("authProxy")]
    public GrafanaAuthProxySpec? AuthProxy { get; set; }
}

/// <summary>The InfluxDB datasources Grafana gets.</summary>
public sealed class GrafanaDatasourcesSpec
{
    /// <summary>Provision an InfluxQL datasource (through the bucket's DBRP mapping).</summary>
    [JsonPropertyName("influxql")]
    [Default(true)]
    public bool? InfluxQL { get; set; }

    /// <summary>Provision a Flux datasource.</summary>
    [JsonPropertyName("flux")]
    [Default(true)]
    public bool? Flux { get; set; }
}

/// <summary>A Grafana contact point: a named destination for alert notifications.</summary>
public sealed class ContactPoint
{
    /// <summary>Name of the contact point in Grafana; AppAlerts refer to it by this name.</summary>
    [Required]
    [JsonPropertyName("name")]
    [MinLength(1)]
    [MaxLength(190)]
    [Pattern("^[A-Za-z0-9][A-Za-z0-9 _.-]*$")]
    public string Name { get; set; } = "";

    /// <summary>Kind of destination: slack, email or webhook.</summary>
    [Required]
    [JsonPropertyName("type")]
    public ContactPointType Type { get; set; }

    /// <summary>
    /// The Secret key holding the destination: the incoming-webhook URL for slack and webhook, the addresses
    /// (separated by ; or ,) for email. Kept in a Secret so it never appears in the spec.
    /// </summary>
    [Required]
    [JsonPropertyName("secretRef")]
    public SecretKeySelector SecretRef { get; set; } = new();

    /// <summary>
    /// The notification's title (slack: title; email: subject; webhook: title), Go text/template text that may use
    /// spec.grafana.templates, e.g. <c>{{ template "slack.title" . }}</c>. Grafana's default when left out.
    /// </summary>
    [JsonPropertyName("title")]
    public string? Title { get; set; }

    /// <summary>The notification's body (slack: text; email: message; webhook: message), like title. Grafana's default when left out.</summary>
    [JsonPropertyName("text")]
    public string? Text { get; set; }
}

/// <summary>Whether the operator runs Grafana or configures an existing one.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GrafanaMode>))]
public enum GrafanaMode
{
    /// <summary>The operator runs Grafana in the stack's namespace.</summary>
    [JsonStringEnumMemberName("managed")]
    Managed,

    /// <summary>The operator configures a Grafana that runs elsewhere.</summary>
    [JsonStringEnumMemberName("external")]
    External,
}

/// <summary>The kind of destination of a contact point.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ContactPointType>))]
public enum ContactPointType
{
    /// <summary>A Slack incoming webhook.</summary>
    [JsonStringEnumMemberName("slack")]
    Slack,

    /// <summary>E-mail addresses.</summary>
    [JsonStringEnumMemberName("email")]
    Email,

    /// <summary>An HTTP webhook.</summary>
    [JsonStringEnumMemberName("webhook")]
    Webhook,
}

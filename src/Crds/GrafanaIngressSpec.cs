using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// An Ingress for the managed Grafana, and Grafana's public URL to match (<c>server.root_url</c>, and
/// <c>server.serve_from_sub_path</c> under a path prefix). Used only in managed mode.
/// </summary>
public sealed class GrafanaIngressSpec
{
    /// <summary>The host people reach Grafana at, e.g. <c>data-dev.lsst.cloud</c>.</summary>
    [JsonPropertyName("host")]
    [Required]
    [Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    public string Host { get; set; } = "";

    /// <summary>The path prefix Grafana is served under, e.g. <c>/grafana</c>; <c>/</c> (the default) serves it at the host's root.</summary>
    [JsonPropertyName("path")]
    [Default("/")]
    [Pattern("^/([A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*)?$")]
    public string? Path { get; set; }

    /// <summary>The IngressClass, e.g. <c>nginx</c>; the cluster's default class when left out.</summary>
    [JsonPropertyName("className")]
    [Pattern(Patterns.ObjectName)]
    public string? ClassName { get; set; }

    /// <summary>A Secret of type kubernetes.io/tls for the host; without it the Ingress serves plain HTTP (or the controller's default certificate).</summary>
    [JsonPropertyName("tlsSecret")]
    [Pattern(Patterns.ObjectName)]
    public string? TlsSecret { get; set; }

    /// <summary>Annotations of the Ingress, e.g. Gafaelfawr's <c>nginx.ingress.kubernetes.io/auth-url</c>.</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>
    /// Labels of the ingress controller's namespace: Grafana's NetworkPolicy admits it (and the operator) instead of any
    /// source. Default: <c>kubernetes.io/metadata.name: ingress-nginx</c>.
    /// </summary>
    [JsonPropertyName("controllerNamespaceSelector")]
    public IDictionary<string, string>? ControllerNamespaceSelector { get; set; }
}

/// <summary>
/// Sign-in by a header an authenticating proxy sets (Grafana's <c>auth.proxy</c>), e.g. Gafaelfawr in front of the
/// Ingress: the login form is turned off, and people are signed in (and signed up) as the header names them.
/// </summary>
public sealed class GrafanaAuthProxySpec
{
    /// <summary>The request header holding the user's name (Gafaelfawr: <c>X-Auth-Request-User</c>, the default).</summary>
    [JsonPropertyName("headerName")]
    [Default("X-Auth-Request-User")]
    [Pattern("^[A-Za-z0-9-]+$")]
    public string? HeaderName { get; set; }

    /// <summary>Whether a user the header names who does not exist yet is created (true by default).</summary>
    [JsonPropertyName("autoSignUp")]
    [Default(true)]
    public bool? AutoSignUp { get; set; }

    /// <summary>The Grafana role of users signed in this way: Viewer (the default), Editor or Admin.</summary>
    [JsonPropertyName("role")]
    [Default("Viewer")]
    public GrafanaRole? Role { get; set; }

    /// <summary>
    /// A request header the proxy sets to a Grafana role (Viewer, Editor or Admin) for members of a group, e.g. an admin
    /// group; Grafana takes the user's role from it (<c>auth.proxy.headers</c> <c>Role:&lt;header&gt;</c>) over the one above.
    /// </summary>
    [JsonPropertyName("roleHeader")]
    [Pattern("^[A-Za-z0-9-]+$")]
    public string? RoleHeader { get; set; }
}

/// <summary>A Grafana organisation role.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GrafanaRole>))]
public enum GrafanaRole
{
    /// <summary>Reads dashboards.</summary>
    [JsonStringEnumMemberName("Viewer")]
    Viewer,

    /// <summary>Edits dashboards.</summary>
    [JsonStringEnumMemberName("Editor")]
    Editor,

    /// <summary>Administers the organisation.</summary>
    [JsonStringEnumMemberName("Admin")]
    Admin,
}

using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// An Ingress for InfluxDB's HTTP API, so a Grafana outside the cluster (a central Grafana several environments share)
/// reaches it; its URL becomes the address written into that Grafana's datasources unless spec.influxdb.externalUrl
/// names another. InfluxDB's NetworkPolicy then also admits the ingress controller's namespace. Every request still
/// needs an InfluxDB token.
/// </summary>
public sealed class InfluxDbIngressSpec
{
    /// <summary>The host the central Grafana reaches InfluxDB at, e.g. <c>data-dev.lsst.cloud</c>.</summary>
    [JsonPropertyName("host")]
    [Required]
    [Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    public string Host { get; set; } = "";

    /// <summary>
    /// The path prefix, e.g. <c>/influxdb</c>; <c>/</c> (the default) serves InfluxDB at the host's root. InfluxDB has no
    /// setting to serve under a prefix: with another path the ingress controller must strip it (an annotation of yours).
    /// </summary>
    [JsonPropertyName("path")]
    [Default("/")]
    [Pattern("^/([A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*)?$")]
    public string? Path { get; set; }

    /// <summary>The IngressClass, e.g. <c>nginx</c>; the cluster's default class when left out.</summary>
    [JsonPropertyName("className")]
    [Pattern(Patterns.ObjectName)]
    public string? ClassName { get; set; }

    /// <summary>A Secret of type kubernetes.io/tls for the host; with it the datasource URL is https.</summary>
    [JsonPropertyName("tlsSecret")]
    [Pattern(Patterns.ObjectName)]
    public string? TlsSecret { get; set; }

    /// <summary>Annotations of the Ingress (e.g. a body size limit, or the controller's prefix stripping).</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>
    /// Labels of the ingress controller's namespace: InfluxDB's NetworkPolicy admits it besides Telegraf, Grafana and the
    /// operator. Default: <c>kubernetes.io/metadata.name: ingress-nginx</c>.
    /// </summary>
    [JsonPropertyName("controllerNamespaceSelector")]
    public IDictionary<string, string>? ControllerNamespaceSelector { get; set; }
}

using k8s;
using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// InfluxDB's Ingress (spec.influxdb.ingress), for a Grafana outside the cluster: one rule for the host, a Prefix path to
/// InfluxDB's Service, TLS when a Secret is named: the shape Grafana's has too (<see cref="ServiceIngress"/>).
/// Its URL is where an external Grafana's datasources point unless spec.influxdb.externalUrl names another.
/// </summary>
public static class InfluxDbIngressBuilder
{
    /// <summary>The Ingress as a list of desired objects: empty when the spec asks for none.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects(DefaultedStack stack) =>
        Build(stack) is { } ingress ? [ingress] : [];

    /// <summary>The Ingress, or null when the spec asks for none.</summary>
    public static V1Ingress? Build(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        if (stack.InfluxDb.Ingress is not { } ingress)
        {
            return null;
        }

        return ServiceIngress.Build(stack, new ServiceIngress.Shape(
            StackNames.InfluxDb(stack), StackLabels.InfluxDb, ingress.Host, PathOf(ingress), ingress.ClassName, ingress.TlsSecret, ingress.Annotations));
    }

    /// <summary>The Ingress's URL without a trailing slash (<c>https://host/influxdb</c>), or null without an Ingress.</summary>
    public static string? UrlOf(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        if (stack.InfluxDb.Ingress is not { } ingress)
        {
            return null;
        }

        var path = PathOf(ingress);
        return $"{(ingress.TlsSecret is { Length: > 0 } ? "https" : "http")}://{ingress.Host}{(path == "/" ? "" : path)}";
    }

    /// <summary>The path, <c>/</c> by default, without a trailing slash.</summary>
    public static string PathOf(InfluxDbIngressSpec ingress)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        var path = string.IsNullOrEmpty(ingress.Path) ? "/" : ingress.Path;
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }
}

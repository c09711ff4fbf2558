using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The one Ingress shape the stack's Ingresses share (Grafana's, InfluxDB's): one rule for the host, a Prefix path to
/// the component's Service port <c>http</c>, TLS for the host when a Secret is named, the user's annotations. Pure.
/// </summary>
public static class ServiceIngress
{
    /// <summary>What differs between the stack's Ingresses.</summary>
    /// <param name="Name">The Ingress's and the Service's name.</param>
    /// <param name="Component">The component's label value (<see cref="StackLabels"/>).</param>
    /// <param name="Host">The host of the rule and of TLS.</param>
    /// <param name="Path">The path prefix, already normalised.</param>
    /// <param name="ClassName">The IngressClass, or null for the cluster's default.</param>
    /// <param name="TlsSecret">A kubernetes.io/tls Secret for the host, or null for plain HTTP.</param>
    /// <param name="Annotations">The Ingress's annotations, or null.</param>
    public sealed record Shape(
        string Name,
        string Component,
        string Host,
        string Path,
        string? ClassName,
        string? TlsSecret,
        IDictionary<string, string>? Annotations);

    /// <summary>The Ingress of <paramref name="stack"/> with <paramref name="shape"/>.</summary>
    public static V1Ingress Build(V1Alpha1MetricsStack stack, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(shape);
        var metadata = ObjectMetaBuilder.Owned(stack, shape.Name, shape.Component);
        metadata.Annotations = shape.Annotations is { Count: > 0 } annotations
            ? new SortedDictionary<string, string>(annotations.ToDictionary(), StringComparer.Ordinal)
            : null;
        return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = V1Ingress.KubeKind,
            Metadata = metadata,
            Spec = new V1IngressSpec
            {
                IngressClassName = shape.ClassName,
                Tls = shape.TlsSecret is { Length: > 0 } secret ? [new V1IngressTLS { Hosts = [shape.Host], SecretName = secret }] : null,
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = shape.Host,
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths =
                            [
                                new V1HTTPIngressPath
                                {
                                    Path = shape.Path,
                                    PathType = "Prefix",
                                    Backend = new V1IngressBackend
                                    {
                                        Service = new V1IngressServiceBackend { Name = shape.Name, Port = new V1ServiceBackendPort { Name = "http" } },
                                    },
                                },
                            ],
                        },
                    },
                ],
            },
        };
    }
}

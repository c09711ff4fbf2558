using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The managed Grafana's Ingress (spec.grafana.ingress): one rule for the host, a Prefix path to Grafana's Service, TLS
/// when a Secret is named. Grafana's own settings that must match it (root URL, sub-path) are in <see cref="GrafanaSettings"/>.
/// </summary>
public static class GrafanaIngressBuilder
{
    /// <summary>The Ingress, or null when the spec asks for none (or Grafana is external).</summary>
    public static V1Ingress? Build(V1Alpha1MetricsStack stack)
    {
        stack = SchemaDefaults.Applied(stack);
        if (!GrafanaBuilder.IsManaged(stack) || stack.Spec.Grafana!.Ingress is not { } ingress)
        {
            return null;
        }

        var metadata = ObjectMetaBuilder.Owned(stack, StackNames.Grafana(stack), StackLabels.Grafana);
        metadata.Annotations = ingress.Annotations is { Count: > 0 } annotations
            ? new SortedDictionary<string, string>(annotations.ToDictionary(), StringComparer.Ordinal)
            : null;
        return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = V1Ingress.KubeKind,
            Metadata = metadata,
            Spec = new V1IngressSpec
            {
                IngressClassName = ingress.ClassName,
                Tls = ingress.TlsSecret is { Length: > 0 } secret ? [new V1IngressTLS { Hosts = [ingress.Host], SecretName = secret }] : null,
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = ingress.Host,
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths =
                            [
                                new V1HTTPIngressPath
                                {
                                    Path = GrafanaSettings.PathOf(ingress),
                                    PathType = "Prefix",
                                    Backend = new V1IngressBackend
                                    {
                                        Service = new V1IngressServiceBackend { Name = StackNames.Grafana(stack), Port = new V1ServiceBackendPort { Name = "http" } },
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

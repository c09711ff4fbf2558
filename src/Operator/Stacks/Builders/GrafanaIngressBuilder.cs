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
    public static V1Ingress? Build(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        if (!stack.Grafana.IsManaged || stack.Grafana.Ingress is not { } ingress)
        {
            return null;
        }

        return ServiceIngress.Build(stack, new ServiceIngress.Shape(
            StackNames.Grafana(stack), StackLabels.Grafana, ingress.Host, GrafanaSettings.PathOf(ingress), ingress.ClassName, ingress.TlsSecret, ingress.Annotations));
    }
}

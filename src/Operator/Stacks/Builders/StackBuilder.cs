using k8s;
using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Everything a MetricsStack wants in its namespace, in a stable apply order: InfluxDB (and its Ingress when asked), Telegraf, Grafana, then
/// the dashboard cache when it is on, then the NetworkPolicies. The reconciler applies this list and prunes what is no longer in it; <c>render</c> prints it.
/// </summary>
public static class StackBuilder
{
    /// <summary>The desired objects of <paramref name="stack"/>, defaults applied, with the default operator identity.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(DefaultedStack stack) =>
        Build(stack, StackBuildOptions.Default);

    /// <summary>The desired objects of <paramref name="stack"/>, defaults applied.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(DefaultedStack stack, StackBuildOptions options) =>
        [
            InfluxDbBuilder.Service(stack),
            InfluxDbBuilder.StatefulSet(stack),
            .. InfluxDbIngressBuilder.Objects(stack),
            TelegrafBuilder.ConfigMap(stack),
            TelegrafBuilder.Service(stack),
            TelegrafBuilder.Workload(stack, options.TelegrafTokenRevision, options.ListenerTokenRevision),
            .. GrafanaBuilder.Build(stack, options.GrafanaTokenRevision),
            .. TricksterBuilder.Build(stack),
            .. NetworkPolicyBuilder.Build(stack, options),
        ];
}

using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>The ClusterIP Service in front of one component's pods: one TCP port, selected by the component's immutable selector.</summary>
public static class ServiceBuilder
{
    /// <summary>The Service <paramref name="name"/> of <paramref name="component"/>, port <paramref name="port"/> named <paramref name="portName"/>, to the pods' port <paramref name="targetPort"/>.</summary>
    public static V1Service ClusterIp(V1Alpha1MetricsStack stack, string name, string component, string portName, int port, string targetPort) => new()
    {
        ApiVersion = "v1",
        Kind = V1Service.KubeKind,
        Metadata = ObjectMetaBuilder.Owned(stack, name, component),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = StackLabels.Selector(stack, component),
            Ports = [new V1ServicePort { Name = portName, Protocol = "TCP", Port = port, TargetPort = targetPort }],
        },
    };
}

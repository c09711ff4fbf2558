using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>Metadata of the objects a MetricsStack makes: name, namespace, the operator's labels, the ownerReference.</summary>
public static class ObjectMetaBuilder
{
    /// <summary>Metadata of an object owned by the stack: garbage-collected with it, mapped back to it by the runtime.</summary>
    public static V1ObjectMeta Owned(V1Alpha1MetricsStack stack, string name, string component) => new()
    {
        Name = name,
        NamespaceProperty = StackNames.Namespace(stack),
        Labels = StackLabels.For(stack, component),
        OwnerReferences = [OwnerReference(stack)],
    };

    /// <summary>
    /// Metadata of what holds or opens data (a data volume, a credential Secret): owned (deleted with the stack) only when
    /// <paramref name="deleteWithStack"/>; otherwise it has no ownerReference so the garbage collector keeps it, and it is
    /// found again by its name.
    /// </summary>
    public static V1ObjectMeta DataVolume(V1Alpha1MetricsStack stack, string name, string component, bool deleteWithStack) => new()
    {
        Name = name,
        NamespaceProperty = StackNames.Namespace(stack),
        Labels = StackLabels.ForData(stack, component),
        OwnerReferences = deleteWithStack ? [OwnerReference(stack)] : null,
    };

    /// <summary>Metadata of a pod template: labels only (pods are owned by their ReplicaSet or StatefulSet).</summary>
    public static V1ObjectMeta PodTemplate(V1Alpha1MetricsStack stack, string component, IDictionary<string, string>? annotations = null) => new()
    {
        Labels = StackLabels.For(stack, component),
        Annotations = annotations is { Count: > 0 } ? annotations : null,
    };

    /// <summary>
    /// The controller reference to the stack. blockOwnerDeletion makes a foreground deletion of the stack wait
    /// for its children; controller marks the operator as the one reconciling them.
    /// </summary>
    public static V1OwnerReference OwnerReference(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return new V1OwnerReference
        {
            ApiVersion = ApiGroup.ApiVersion,
            Kind = "MetricsStack",
            Name = stack.Metadata.Name,
            // Only the API server assigns uids: render, with no server, prints none.
            Uid = stack.Metadata.Uid!,
            Controller = true,
            BlockOwnerDeletion = true,
        };
    }
}

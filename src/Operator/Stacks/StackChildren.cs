using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Reconcile;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks;

/// <summary>
/// The kinds a MetricsStack owns, and the typed calls the runtime's generic client needs for each: the builders
/// return a mixed list, the client's cache and paths are per type.
/// </summary>
public static class StackChildren
{
    /// <summary>
    /// Applies <paramref name="child"/> (zero requests when the cache already holds what it would apply). A child whose
    /// builder gave it no ownerReference (a retained data claim) is applied without one, so it outlives the stack.
    /// </summary>
    public static Task<ApplyResult> ApplyAsync(ObjectClient client, V1Alpha1MetricsStack stack, IKubernetesObject<V1ObjectMeta> child, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(child);
        var owner = child.Metadata.OwnerReferences is { Count: > 0 } ? stack : null;
        return child switch
        {
            V1StatefulSet o => client.ApplyAsync(owner, o, cancellationToken),
            V1Deployment o => client.ApplyAsync(owner, o, cancellationToken),
            V1Service o => client.ApplyAsync(owner, o, cancellationToken),
            V1ConfigMap o => client.ApplyAsync(owner, o, cancellationToken),
            V1PersistentVolumeClaim o => client.ApplyAsync(owner, o, cancellationToken),
            V1NetworkPolicy o => client.ApplyAsync(owner, o, cancellationToken),
            V1Ingress o => client.ApplyAsync(owner, o, cancellationToken),
            _ => throw new InvalidOperationException($"The MetricsStack controller does not own {child.Kind}: add it to StackChildren and to Owns<> in OperatorControllers."),
        };
    }

    /// <summary>
    /// Deletes the children the stack controls (controller ownerReference and managed-by label) that
    /// <paramref name="desired"/> no longer has, kind by kind. PersistentVolumeClaims are never pruned: they hold data,
    /// and only the finalizer deletes them, only with deletionPolicy Delete. Returns how many were deleted.
    /// </summary>
    public static async Task<int> PruneAsync(ObjectClient client, V1Alpha1MetricsStack stack, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(desired);
        return await client.PruneAsync<V1StatefulSet>(stack, NamesOf<V1StatefulSet>(desired), cancellationToken)
            + await client.PruneAsync<V1Deployment>(stack, NamesOf<V1Deployment>(desired), cancellationToken)
            + await client.PruneAsync<V1Service>(stack, NamesOf<V1Service>(desired), cancellationToken)
            + await client.PruneAsync<V1ConfigMap>(stack, NamesOf<V1ConfigMap>(desired), cancellationToken)
            + await client.PruneAsync<V1NetworkPolicy>(stack, NamesOf<V1NetworkPolicy>(desired), cancellationToken)
            + await client.PruneAsync<V1Ingress>(stack, NamesOf<V1Ingress>(desired), cancellationToken);
    }

    /// <summary>The workloads the conditions are derived from, as the cache holds them now.</summary>
    public static ObservedChildren Observe(ObjectClient client, DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(stack);
        var ns = StackNames.Namespace(stack);
        var telegraf = new ObjectKey(ns, StackNames.Telegraf(stack));
        return new ObservedChildren(
            client.Get<V1StatefulSet>(new ObjectKey(ns, StackNames.InfluxDb(stack))),
            stack.Telegraf.DiskBuffer.Enabled ? client.Get<V1StatefulSet>(telegraf) : client.Get<V1Deployment>(telegraf),
            stack.Grafana.IsManaged ? client.Get<V1Deployment>(new ObjectKey(ns, StackNames.Grafana(stack))) : null,
            TricksterBuilder.IsEnabled(stack) ? client.Get<V1Deployment>(new ObjectKey(ns, StackNames.Trickster(stack))) : null);
    }

    private static IEnumerable<string> NamesOf<T>(IEnumerable<IKubernetesObject<V1ObjectMeta>> desired) =>
        desired.OfType<T>().Cast<IKubernetesObject<V1ObjectMeta>>().Select(o => o.Metadata.Name);
}

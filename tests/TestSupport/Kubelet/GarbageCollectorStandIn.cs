using k8s;
using k8s.Models;

namespace MetricsOperator.TestSupport.Kubelet;

/// <summary>
/// The garbage collector's part, which the test API server has not got (no controller-manager): deletes the objects of
/// a namespace whose ownerReferences name a deleted owner's uid, as background cascading deletion would.
/// </summary>
public static class GarbageCollectorStandIn
{
    /// <summary>Deletes what <paramref name="ownerUid"/> owned in <paramref name="ns"/>; returns <c>Kind/name</c> of each.</summary>
    public static async Task<IReadOnlyList<string>> CollectAsync(IKubernetes admin, string ns, string ownerUid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var c = cancellationToken;
        // The kinds an operator's children come in: how to list them, and how to delete one by name.
        var kinds = new (string Kind, Func<Task<IEnumerable<V1ObjectMeta>>> List, Func<string, Task> Delete)[]
        {
            ("Secret", async () => (await admin.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: c)).Items.Select(o => o.Metadata), n => Quietly(admin.CoreV1.DeleteNamespacedSecretAsync(n, ns, cancellationToken: c))),
            ("ConfigMap", async () => (await admin.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: c)).Items.Select(o => o.Metadata), n => Quietly(admin.CoreV1.DeleteNamespacedConfigMapAsync(n, ns, cancellationToken: c))),
            ("Service", async () => (await admin.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: c)).Items.Select(o => o.Metadata), n => Quietly(admin.CoreV1.DeleteNamespacedServiceAsync(n, ns, cancellationToken: c))),
            ("PersistentVolumeClaim", async () => (await admin.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, cancellationToken: c)).Items.Select(o => o.Metadata), n => Quietly(admin.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(n, ns, cancellationToken: c))),
            ("Deployment", async () => (await admin.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: c)).Items.Select(o => o.Metadata), n => Quietly(admin.AppsV1.DeleteNamespacedDeploymentAsync(n, ns, cancellationToken: c))),
            ("StatefulSet", async () => (await admin.AppsV1.ListNamespacedStatefulSetAsync(ns, cancellationToken: c)).Items.Select(o => o.Metadata), n => Quietly(admin.AppsV1.DeleteNamespacedStatefulSetAsync(n, ns, cancellationToken: c))),
            ("NetworkPolicy", async () => (await admin.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, cancellationToken: c)).Items.Select(o => o.Metadata), n => Quietly(admin.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(n, ns, cancellationToken: c))),
        };
        var deleted = new List<string>();
        foreach (var (kind, list, delete) in kinds)
        {
            foreach (var meta in (await list()).Where(m => m.OwnerReferences?.Any(o => o.Uid == ownerUid) == true))
            {
                await delete(meta.Name);
                deleted.Add($"{kind}/{meta.Name}");
            }
        }

        return deleted;
    }

    /// <summary>
    /// The garbage collector's handling of <c>propagationPolicy: Orphan</c>: the API server marks such an owner with the
    /// <c>orphan</c> finalizer; the collector takes the owner's ownerReference off its dependents (here: pods) and then
    /// removes the finalizer, so the owner goes and the dependents stay (kube-controller-manager's garbage collector,
    /// <c>orphanDependents</c>). Returns <c>Kind/name</c> of each owner released.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReleaseOrphansAsync(IKubernetes admin, string ns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var owners = (await admin.AppsV1.ListNamespacedStatefulSetAsync(ns, cancellationToken: cancellationToken)).Items.Select(o => ("StatefulSet", o.Metadata))
            .Concat((await admin.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: cancellationToken)).Items.Select(o => ("Deployment", o.Metadata)))
            .Where(o => o.Metadata.DeletionTimestamp is not null && o.Metadata.Finalizers?.Contains("orphan") == true)
            .ToList();
        var released = new List<string>();
        foreach (var (kind, owner) in owners)
        {
            foreach (var pod in (await admin.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: cancellationToken)).Items.Where(p => p.Metadata.OwnerReferences?.Any(o => o.Uid == owner.Uid) == true))
            {
                var remaining = pod.Metadata.OwnerReferences.Where(o => o.Uid != owner.Uid).ToList();
                await admin.CoreV1.PatchNamespacedPodAsync(new V1Patch(System.Text.Json.JsonSerializer.Serialize(new { metadata = new { ownerReferences = remaining } }, Json), V1Patch.PatchType.MergePatch), pod.Metadata.Name, ns, cancellationToken: cancellationToken);
            }

            var finalizers = owner.Finalizers.Where(f => f != "orphan").ToList();
            var patch = new V1Patch(System.Text.Json.JsonSerializer.Serialize(new { metadata = new { finalizers } }), V1Patch.PatchType.MergePatch);
            if (kind == "StatefulSet")
            {
                await admin.AppsV1.PatchNamespacedStatefulSetAsync(patch, owner.Name, ns, cancellationToken: cancellationToken);
            }
            else
            {
                await admin.AppsV1.PatchNamespacedDeploymentAsync(patch, owner.Name, ns, cancellationToken: cancellationToken);
            }

            released.Add($"{kind}/{owner.Name}");
        }

        return released;
    }

    private static readonly System.Text.Json.JsonSerializerOptions Json = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    // Older API servers answer some deletes (a Service's on 1.20) with a Status, which the client cannot read as the object.
    private static async Task Quietly<T>(Task<T> delete)
    {
        try
        {
            await delete;
        }
        catch (System.Text.Json.JsonException)
        {
            // Deleted all the same.
        }
    }
}

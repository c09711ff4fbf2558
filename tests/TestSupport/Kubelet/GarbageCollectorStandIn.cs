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

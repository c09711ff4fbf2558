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
        bool Owned(V1ObjectMeta meta) => meta.OwnerReferences?.Any(o => o.Uid == ownerUid) == true;
        var deleted = new List<string>();
        foreach (var o in (await admin.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: cancellationToken)).Items.Where(o => Owned(o.Metadata)))
        {
            await DeleteAsync(() => admin.CoreV1.DeleteNamespacedSecretAsync(o.Metadata.Name, ns, cancellationToken: cancellationToken));
            deleted.Add($"Secret/{o.Metadata.Name}");
        }

        foreach (var o in (await admin.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: cancellationToken)).Items.Where(o => Owned(o.Metadata)))
        {
            await DeleteAsync(() => admin.CoreV1.DeleteNamespacedConfigMapAsync(o.Metadata.Name, ns, cancellationToken: cancellationToken));
            deleted.Add($"ConfigMap/{o.Metadata.Name}");
        }

        foreach (var o in (await admin.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: cancellationToken)).Items.Where(o => Owned(o.Metadata)))
        {
            await DeleteAsync(() => admin.CoreV1.DeleteNamespacedServiceAsync(o.Metadata.Name, ns, cancellationToken: cancellationToken));
            deleted.Add($"Service/{o.Metadata.Name}");
        }

        foreach (var o in (await admin.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, cancellationToken: cancellationToken)).Items.Where(o => Owned(o.Metadata)))
        {
            await DeleteAsync(() => admin.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(o.Metadata.Name, ns, cancellationToken: cancellationToken));
            deleted.Add($"PersistentVolumeClaim/{o.Metadata.Name}");
        }

        foreach (var o in (await admin.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: cancellationToken)).Items.Where(o => Owned(o.Metadata)))
        {
            await DeleteAsync(() => admin.AppsV1.DeleteNamespacedDeploymentAsync(o.Metadata.Name, ns, cancellationToken: cancellationToken));
            deleted.Add($"Deployment/{o.Metadata.Name}");
        }

        foreach (var o in (await admin.AppsV1.ListNamespacedStatefulSetAsync(ns, cancellationToken: cancellationToken)).Items.Where(o => Owned(o.Metadata)))
        {
            await DeleteAsync(() => admin.AppsV1.DeleteNamespacedStatefulSetAsync(o.Metadata.Name, ns, cancellationToken: cancellationToken));
            deleted.Add($"StatefulSet/{o.Metadata.Name}");
        }

        foreach (var o in (await admin.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, cancellationToken: cancellationToken)).Items.Where(o => Owned(o.Metadata)))
        {
            await DeleteAsync(() => admin.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(o.Metadata.Name, ns, cancellationToken: cancellationToken));
            deleted.Add($"NetworkPolicy/{o.Metadata.Name}");
        }

        return deleted;
    }

    // Older API servers answer some deletes (a Service's on 1.20) with a Status, which the client cannot read as the object.
    private static async Task DeleteAsync<T>(Func<Task<T>> delete)
    {
        try
        {
            await delete();
        }
        catch (System.Text.Json.JsonException)
        {
            // Deleted all the same.
        }
    }
}

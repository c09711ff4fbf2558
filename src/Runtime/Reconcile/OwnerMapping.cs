using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;

namespace MetricsOperator.Runtime.Reconcile;

/// <summary>Maps a child object to the key of the object that controls it (controller-runtime's EnqueueRequestForOwner).</summary>
public static class OwnerMapping
{
    /// <summary>
    /// The key of <paramref name="child"/>'s controller (the ownerReference with <c>controller: true</c>) when that
    /// controller is of <paramref name="ownerType"/> (same group and kind; any version); null otherwise. A namespaced
    /// child's owner is in the child's namespace.
    /// </summary>
    public static ObjectKey? ControllerKey(IMetadata<V1ObjectMeta> child, ResourceType ownerType)
    {
        ArgumentNullException.ThrowIfNull(child);
        ArgumentNullException.ThrowIfNull(ownerType);
        var references = child.Metadata?.OwnerReferences;
        if (references is null)
        {
            return null;
        }

        foreach (var reference in references)
        {
            if (reference.Controller != true || reference.Kind != ownerType.Kind || GroupOf(reference.ApiVersion) != ownerType.Group)
            {
                continue;
            }

            return new ObjectKey(ownerType.Namespaced ? child.Metadata!.NamespaceProperty ?? string.Empty : string.Empty, reference.Name);
        }

        return null;
    }

    private static string GroupOf(string? apiVersion)
    {
        if (string.IsNullOrEmpty(apiVersion))
        {
            return string.Empty;
        }

        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? string.Empty : apiVersion[..slash];
    }
}

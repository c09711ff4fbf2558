using System.Collections.Concurrent;
using System.Reflection;
using k8s.Models;

namespace MetricsOperator.Runtime.Client;

/// <summary>
/// Where a kind lives in the API: group, version, kind, plural and scope. Read from the type's
/// <see cref="KubernetesEntityAttribute"/> (every <c>k8s.Models</c> type and every CRD type carries one).
/// </summary>
public sealed record ResourceType(string Group, string Version, string Kind, string Plural, bool Namespaced = true)
{
    private static readonly ConcurrentDictionary<Type, ResourceType> Known = new();

    // Built-in kinds that are cluster-scoped; everything else is assumed namespaced unless registered otherwise.
    private static readonly HashSet<string> ClusterScopedKinds =
    [
        "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
        "StorageClass", "PriorityClass", "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
        "CertificateSigningRequest", "IngressClass", "RuntimeClass", "VolumeAttachment", "CSIDriver", "CSINode",
    ];

    /// <summary><c>group/version</c>, or <c>version</c> for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>The resource type of <typeparamref name="T"/>.</summary>
    public static ResourceType For<T>() => For(typeof(T));

    /// <summary>The resource type of <paramref name="type"/>.</summary>
    public static ResourceType For(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Known.GetOrAdd(type, static t =>
        {
            var entity = t.GetCustomAttribute<KubernetesEntityAttribute>()
                ?? throw new InvalidOperationException($"{t.Name} has no [KubernetesEntity] attribute: register it with ResourceType.Register.");
            return new ResourceType(entity.Group ?? string.Empty, entity.ApiVersion, entity.Kind, entity.PluralName, !ClusterScopedKinds.Contains(entity.Kind));
        });
    }

    /// <summary>Overrides what <see cref="For{T}"/> answers for <typeparamref name="T"/> (e.g. a cluster-scoped CRD).</summary>
    public static void Register<T>(ResourceType resourceType) => Known[typeof(T)] = resourceType;

    /// <summary>The collection's path relative to the API server's base URI.</summary>
    public string CollectionPath(string? @namespace)
    {
        var root = Group.Length == 0 ? "api/" + Version : "apis/" + Group + "/" + Version;
        return Namespaced && !string.IsNullOrEmpty(@namespace)
            ? root + "/namespaces/" + Uri.EscapeDataString(@namespace) + "/" + Plural
            : root + "/" + Plural;
    }

    /// <summary>One object's path relative to the API server's base URI.</summary>
    public string ObjectPath(string? @namespace, string name) => CollectionPath(@namespace) + "/" + Uri.EscapeDataString(name);
}

namespace MetricsOperator.Runtime.Reconcile;

/// <summary>The identity a controller queues and reconciles: namespace and name (namespace empty for cluster-scoped objects).</summary>
public readonly record struct ObjectKey(string Namespace, string Name)
{
    /// <summary>Parses <c>namespace/name</c> or <c>name</c>.</summary>
    public static ObjectKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new ObjectKey(string.Empty, key) : new ObjectKey(key[..slash], key[(slash + 1)..]);
    }

    /// <summary>The key of an object's metadata.</summary>
    public static ObjectKey Of(k8s.Models.V1ObjectMeta metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new ObjectKey(metadata.NamespaceProperty ?? string.Empty, metadata.Name ?? string.Empty);
    }

    /// <summary>The key of an object.</summary>
    public static ObjectKey Of(k8s.Models.IMetadata<k8s.Models.V1ObjectMeta> entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return Of(entity.Metadata);
    }

    /// <summary><c>namespace/name</c>, or <c>name</c> for cluster-scoped objects (client-go's MetaNamespaceKeyFunc).</summary>
    public override string ToString() => string.IsNullOrEmpty(Namespace) ? Name : Namespace + "/" + Name;
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s.Models;
using MetricsOperator.Runtime.Client;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// The metadata of <see cref="ObjectList{T}"/> under <see cref="KubeJson.Options"/>, built once per item kind by hand,
/// the way the source generator builds a closed type's: a program registers its kinds and never each kind's list
/// (a generic type cannot be named in a <c>JsonSerializable</c> attribute for every T), and nothing is made by
/// reflection. Object metadata, not a custom converter, so that a list is read as it streams in: System.Text.Json
/// buffers the whole value before calling a custom converter, which for 1000 AppAlerts was a pooled array of tens
/// of MiB kept for the process's life.
/// </summary>
internal static class ObjectListJson<T>
    where T : class
{
    public static JsonTypeInfo<ObjectList<T>> Info { get; } = Create(KubeJson.Options, itemInfo: null);

    /// <summary>
    /// A list whose items <paramref name="keepCached"/> says the caller holds at the listed resourceVersion come back as
    /// null, without being built (<see cref="CachedItemSkipper{T}"/>).
    /// </summary>
    public static JsonTypeInfo<ObjectList<T>> SkippingCached(KeepCached keepCached) =>
        Create(KubeJson.Options, JsonMetadataServices.CreateValueInfo<T>(KubeJson.Options, new CachedItemSkipper<T>(keepCached, KubeJson.TypeInfo<T>())));

    private static JsonTypeInfo<ObjectList<T>> Create(JsonSerializerOptions options, JsonTypeInfo<T>? itemInfo)
    {
        var collection = itemInfo is null
            ? new JsonCollectionInfoValues<IList<T>> { ObjectCreator = static () => new List<T>() } // items as the options read T
            : new JsonCollectionInfoValues<IList<T>> { ObjectCreator = static () => new List<T>(), ElementInfo = itemInfo };
        var items = JsonMetadataServices.CreateIListInfo<IList<T>, T>(options, collection);
        return JsonMetadataServices.CreateObjectInfo(options, new JsonObjectInfoValues<ObjectList<T>>
        {
            ObjectCreator = static () => new ObjectList<T>(),
            PropertyMetadataInitializer = _ =>
            [
                JsonMetadataServices.CreatePropertyInfo(options, new JsonPropertyInfoValues<V1ListMeta?>
                {
                    IsProperty = true,
                    IsPublic = true,
                    DeclaringType = typeof(ObjectList<T>),
                    PropertyName = nameof(ObjectList<T>.Metadata),
                    JsonPropertyName = "metadata",
                    Getter = static list => ((ObjectList<T>)list).Metadata,
                    Setter = static (list, value) => ((ObjectList<T>)list).Metadata = value,
                }),
                JsonMetadataServices.CreatePropertyInfo(options, new JsonPropertyInfoValues<IList<T>?>
                {
                    IsProperty = true,
                    IsPublic = true,
                    DeclaringType = typeof(ObjectList<T>),
                    PropertyName = nameof(ObjectList<T>.Items),
                    JsonPropertyName = "items",
                    PropertyTypeInfo = items,
                    Getter = static list => ((ObjectList<T>)list).Items,
                    // The API server writes "items": null for an empty list of a custom resource.
                    Setter = static (list, value) => ((ObjectList<T>)list).Items = value ?? [],
                }),
            ],
        });
    }
}

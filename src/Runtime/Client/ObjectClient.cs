using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Cache;
using MetricsOperator.Runtime.Reconcile;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Client;

/// <summary>How the operator writes.</summary>
public sealed record ApplyOptions
{
    /// <summary>The label every child carries; informers of owned kinds select on it.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    /// <summary>The field manager of every server-side apply, and the value of <see cref="ManagedByLabel"/>.</summary>
    public string FieldManager { get; init; } = "metrics-operator";

    /// <summary>The annotation holding <see cref="ObjectHash"/> of what was applied.</summary>
    public string HashAnnotation { get; init; } = "metrics.lsst.io/applied-hash";

    /// <summary>The label selector of owned kinds' informers: <c>app.kubernetes.io/managed-by=&lt;FieldManager&gt;</c>.</summary>
    public string ManagedBySelector => ManagedByLabel + "=" + FieldManager;
}

/// <summary>What <see cref="ObjectClient.ApplyAsync{T}"/> did.</summary>
public enum ApplyResult
{
    /// <summary>The cached object already carries the desired hash: no request was sent.</summary>
    Unchanged,

    /// <summary>The object was created or changed by server-side apply.</summary>
    Applied,
}

/// <summary>
/// The reconciler's client: reads come from the informers' caches (no API call); writes are server-side applies with
/// one field manager, made only when the desired state differs from what was last applied; status goes through the
/// status subresource as a merge patch, only when it changed.
/// </summary>
public sealed class ObjectClient
{
    private readonly KubeApi api;
    private readonly InformerCache cache;

    // The generation (or resourceVersion) each child had right after our last apply, to tell our writes from others'.
    private readonly ConcurrentDictionary<string, long> lastWritten = new(StringComparer.Ordinal);

    // The kinds whose informer tells OwnWrites what the cache caught up with.
    private readonly ConcurrentDictionary<Type, bool> followed = new();

    /// <summary>Creates a client over <paramref name="api"/> and <paramref name="cache"/>.</summary>
    public ObjectClient(KubeApi api, InformerCache cache, ApplyOptions? options = null)
    {
        this.api = api ?? throw new ArgumentNullException(nameof(api));
        this.cache = cache ?? throw new ArgumentNullException(nameof(cache));
        Options = options ?? new ApplyOptions();
    }

    /// <summary>The apply settings.</summary>
    public ApplyOptions Options { get; }

    /// <summary>The raw API (for what the cache cannot answer).</summary>
    public KubeApi Api => api;

    /// <summary>This process's status and finalizer writes the cache does not show yet (read through <see cref="Get{T}"/>).</summary>
    public OwnWrites OwnWrites { get; } = new();

    /// <summary>
    /// The object of kind <typeparamref name="T"/> with <paramref name="key"/> as the cache holds it, or as this
    /// process's own last status or finalizer write returned it while the cache does not show that write yet
    /// (<see cref="OwnWrites"/>); null when the cache does not have it. Do not mutate it.
    /// </summary>
    public T? Get<T>(ObjectKey key)
        where T : class, IKubernetesObject<V1ObjectMeta> => OwnWrites.Newest(key, Store<T>().Get(key));

    /// <summary>The cached objects of kind <typeparamref name="T"/> controlled by <paramref name="owner"/>. Do not mutate them.</summary>
    public IReadOnlyList<T> ListOwned<T>(IKubernetesObject<V1ObjectMeta> owner)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(owner);
        return Store<T>().ByIndex(Cache.Store<T>.ControllerUidIndex, owner.Metadata.Uid);
    }

    /// <summary>
    /// Prepares <paramref name="desired"/> as a child of <paramref name="owner"/> (namespace, managed-by label,
    /// controller ownerReference, hash annotation) and applies it unless the cached object already carries that hash.
    /// </summary>
    public async Task<ApplyResult> ApplyAsync<T>(IKubernetesObject<V1ObjectMeta>? owner, T desired, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(desired);
        var hash = Prepare(owner, desired);
        var observed = Store<T>().Get(ObjectKey.Of(desired));
        var writtenKey = WrittenKey<T>(desired);
        if (observed?.Metadata?.Annotations is { } annotations
            && annotations.TryGetValue(Options.HashAnnotation, out var applied)
            && applied == hash
            && observed.Metadata.DeletionTimestamp is null
            && !ChangedSinceOurWrite(writtenKey, observed.Metadata))
        {
            return ApplyResult.Unchanged;
        }

        var result = await api.ApplyAsync(desired, Options.FieldManager, force: true, cancellationToken).ConfigureAwait(false);
        if (result?.Metadata is { } written && WrittenVersion(written) is { } version)
        {
            lastWritten[writtenKey] = version;
        }

        return ApplyResult.Applied;
    }

    /// <summary>
    /// Whether someone else changed the object after our last apply (e.g. <c>kubectl edit</c> of a child): the hash
    /// annotation still matches then, so without this the edit would stand until our desired state changed. Objects
    /// with a <c>metadata.generation</c> (workloads) are compared by generation, which only spec changes bump (not
    /// status); others (ConfigMaps, Services) by resourceVersion, read as etcd's revision number. A cache that has
    /// not caught up with our own write shows an older number, which is not drift. With no record (just started)
    /// the observed object becomes the baseline: drift from before a restart waits for the next change.
    /// </summary>
    private bool ChangedSinceOurWrite(string key, V1ObjectMeta observed)
    {
        var version = WrittenVersion(observed);
        if (version is null)
        {
            return false;
        }

        var recorded = lastWritten.GetOrAdd(key, version.Value);
        return version.Value > recorded;
    }

    private static long? WrittenVersion(V1ObjectMeta meta) =>
        meta.Generation is > 0 ? meta.Generation
        : long.TryParse(meta.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision
        : null;

    private static string WrittenKey<T>(T desired)
        where T : IKubernetesObject<V1ObjectMeta> =>
        $"{desired.ApiVersion}/{desired.Kind}/{desired.Metadata.NamespaceProperty}/{desired.Metadata.Name}";

    /// <summary>
    /// Sets on <paramref name="desired"/> what every child carries and returns its hash (pure apart from the mutation;
    /// exposed for tests and dry runs).
    /// </summary>
    public string Prepare<T>(IKubernetesObject<V1ObjectMeta>? owner, T desired)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(desired);
        var type = ResourceType.For<T>();
        desired.ApiVersion ??= type.ApiVersion;
        desired.Kind ??= type.Kind;
        desired.Metadata ??= new V1ObjectMeta();
        var meta = desired.Metadata;
        meta.Labels ??= new Dictionary<string, string>();
        meta.Labels[ApplyOptions.ManagedByLabel] = Options.FieldManager;
        if (owner is not null)
        {
            if (type.Namespaced)
            {
                meta.NamespaceProperty ??= owner.Metadata.NamespaceProperty;
            }

            meta.OwnerReferences = [.. (meta.OwnerReferences ?? []).Where(r => r.Controller != true), ControllerReference(owner)];
        }

        meta.Annotations ??= new Dictionary<string, string>();
        meta.Annotations.Remove(Options.HashAnnotation);
        var hash = ObjectHash.Compute(desired, Options.HashAnnotation);
        meta.Annotations[Options.HashAnnotation] = hash;
        return hash;
    }

    /// <summary>
    /// Deletes the children of kind <typeparamref name="T"/> that <paramref name="owner"/> controls, that carry the
    /// managed-by label, and whose names are not in <paramref name="keep"/>. Returns how many were deleted.
    /// </summary>
    public async Task<int> PruneAsync<T>(IKubernetesObject<V1ObjectMeta> owner, IEnumerable<string> keep, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(keep);
        var wanted = keep.ToHashSet(StringComparer.Ordinal);
        var deleted = 0;
        foreach (var child in ListOwned<T>(owner))
        {
            var meta = child.Metadata;
            if (wanted.Contains(meta.Name)
                || meta.DeletionTimestamp is not null
                || meta.Labels?.TryGetValue(ApplyOptions.ManagedByLabel, out var manager) != true
                || manager != Options.FieldManager)
            {
                continue;
            }

            if (await api.DeleteAsync<T>(meta.NamespaceProperty, meta.Name, meta.Uid, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>
    /// Patches the status subresource of <paramref name="entity"/> (a copy the reconciler changed) with the difference
    /// between its status and the object's as <see cref="Get{T}"/> has it (this process's last write when the cache
    /// lags it); sends nothing when there is none. Returns true when it wrote.
    /// </summary>
    public async Task<bool> PatchStatusAsync<T>(T entity, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(entity);
        var observed = Get<T>(ObjectKey.Of(entity));
        var patch = StatusPatch(observed, entity);
        if (patch is null)
        {
            return false;
        }

        var written = await api.PatchAsync<T>(entity.Metadata.NamespaceProperty, entity.Metadata.Name, PatchType.Merge, patch.ToJsonString(), "status", cancellationToken: cancellationToken).ConfigureAwait(false);
        Remember(written);
        return true;
    }

    /// <summary>The merge patch <c>{"status": …}</c> that turns <paramref name="observed"/>'s status into
    /// <paramref name="desired"/>'s, or null when they are equal (pure).</summary>
    public static JsonObject? StatusPatch<T>(T? observed, T desired)
    {
        var fromJson = observed is null ? null : KubeJson.StatusJson(observed);
        var toJson = KubeJson.StatusJson(desired!);
        if (fromJson is not null && toJson is not null && fromJson.AsSpan().SequenceEqual(toJson))
        {
            // Most reconciles change nothing: the same bytes need no tree of nodes to say so.
            return null;
        }

        var from = fromJson is null ? null : JsonNode.Parse(fromJson) as JsonObject;
        var to = toJson is null ? null : JsonNode.Parse(toJson) as JsonObject;
        var diff = JsonMergePatch.Diff(from, to);
        return diff.Count == 0 ? null : new JsonObject { ["status"] = diff };
    }

    /// <summary>Replaces the finalizer list of <paramref name="entity"/>, conditional on its resourceVersion (409 when stale).</summary>
    public async Task<T> SetFinalizersAsync<T>(T entity, IList<string> finalizers, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(entity);
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode?)JsonValue.Create(f))]),
                ["resourceVersion"] = entity.Metadata.ResourceVersion,
            },
        };
        var updated = await api.PatchAsync<T>(entity.Metadata.NamespaceProperty, entity.Metadata.Name, PatchType.Merge, patch.ToJsonString(), cancellationToken: cancellationToken).ConfigureAwait(false);
        Remember(updated);
        return updated ?? entity;
    }

    // Keeps what a write returned until the cache shows it; the kind's informer reports when it does.
    private void Remember<T>(T? written)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (followed.TryAdd(typeof(T), true))
        {
            cache.TryGetInformer<T>()?.AddHandler(OwnWrites.Seen);
        }

        OwnWrites.Record(written);

        // The watch event can come in before the response: then the cache holds the write already, and no event will
        // tell OwnWrites so.
        if (written?.Metadata is not null && cache.TryGetStore<T>()?.Get(ObjectKey.Of(written)) is { } cached)
        {
            OwnWrites.CaughtUp(cached);
        }
    }

    /// <summary>A controller ownerReference to <paramref name="owner"/> (blockOwnerDeletion so foreground deletion waits).</summary>
    public static V1OwnerReference ControllerReference(IKubernetesObject<V1ObjectMeta> owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new V1OwnerReference
        {
            ApiVersion = owner.ApiVersion,
            Kind = owner.Kind,
            Name = owner.Metadata.Name,
            Uid = owner.Metadata.Uid,
            Controller = true,
            BlockOwnerDeletion = true,
        };
    }

    private IReadOnlyStore<T> Store<T>()
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        cache.TryGetStore<T>() ?? throw new InvalidOperationException($"No informer caches {typeof(T).Name}: declare it with For<>, Owns<> or Watches<> first.");
}

using System.Net;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Logging;
using MetricsOperator.Runtime.Reconcile;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Runtime.Cache;

/// <summary>Why a handler is called.</summary>
public enum InformerEventType
{
    /// <summary>The object appeared (in a list or a watch).</summary>
    Added,

    /// <summary>The object changed.</summary>
    Updated,

    /// <summary>The object is gone.</summary>
    Deleted,

    /// <summary>Periodic resync: nothing changed, the object is handed over again.</summary>
    Resync,
}

/// <summary>One notification from an informer: the object after the change (for Deleted, its last known state) and, for
/// updates, the one before.</summary>
public readonly record struct InformerEvent<T>(InformerEventType Type, T Entity, T? Old);

/// <summary>An informer seen without its type: something to start and wait on.</summary>
public interface IInformer
{
    /// <summary>True once the first list has filled the cache.</summary>
    bool HasSynced { get; }

    /// <summary>Completes when <see cref="HasSynced"/> becomes true.</summary>
    Task WaitForSyncAsync(CancellationToken cancellationToken);

    /// <summary>Lists and watches until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Keeps a local cache of one kind in step with the API server: lists, then watches from the list's resourceVersion
/// with bookmarks, tracking the resourceVersion of every event. A 410 Gone (as the watch request's status or as a
/// watch ERROR event) relists; a dropped connection or a restarted API server re-watches from the last
/// resourceVersion after a backoff (and relists if that version is gone). Every <see cref="InformerOptions.ResyncPeriod"/>
/// all cached objects go to the handlers again. Handlers run on the informer's loop: they must be quick (enqueue a key).
/// </summary>
public sealed class Informer<T> : IInformer
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly KubeApi api;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly List<Action<InformerEvent<T>>> handlers = [];
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long lists;
    private long built;
    private long watches;

    /// <summary>Creates an informer; <see cref="RunAsync"/> starts it.</summary>
    public Informer(KubeApi api, InformerOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        this.api = api ?? throw new ArgumentNullException(nameof(api));
        Options = options ?? new InformerOptions();
        this.logger = logger ?? NullLogger.Instance;
        time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>What this informer watches.</summary>
    public InformerOptions Options { get; }

    /// <summary>The cache.</summary>
    public Store<T> Store { get; } = new();

    /// <inheritdoc/>
    public bool HasSynced => synced.Task.IsCompletedSuccessfully;

    /// <summary>How many full lists were made (1 after start; each 410 adds one).</summary>
    public long ListCount => Interlocked.Read(ref lists);

    /// <summary>How many objects lists have built (a relist builds only those changed since cached).</summary>
    public long ListedObjectsBuilt => Interlocked.Read(ref built);

    /// <summary>How many watch requests were made.</summary>
    public long WatchCount => Interlocked.Read(ref watches);

    /// <summary>The resourceVersion the next watch starts from (null before the first list or after a 410).</summary>
    public string? LastResourceVersion { get; private set; }

    /// <summary>Registers a handler. One registered after <see cref="RunAsync"/> started sees only the events after it.</summary>
    public void AddHandler(Action<InformerEvent<T>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (handlers)
        {
            handlers.Add(handler);
        }
    }

    /// <inheritdoc/>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => synced.Task.WaitAsync(cancellationToken);

    /// <inheritdoc/>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ListAndWatchAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An error the loop does not retry (a bug, such as an object this build cannot read, not the network):
            // whoever waits for the sync hears it rather than waiting for ever.
            synced.TrySetException(e);
            throw;
        }
    }

    private async Task ListAndWatchAsync(CancellationToken cancellationToken)
    {
        var kind = ResourceType.For<T>().Kind;
        using var scope = logger.BeginScope(new LogScope(new("informer", kind), new("labelSelector", Options.LabelSelector)));
        var resync = Options.ResyncPeriod > TimeSpan.Zero ? ResyncLoopAsync(cancellationToken) : Task.CompletedTask;
        var backoff = Options.InitialBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (LastResourceVersion is null)
                {
                    LastResourceVersion = await ListAndReplaceAsync(cancellationToken).ConfigureAwait(false);
                    synced.TrySetResult();
                    backoff = Options.InitialBackoff;
                }

                var started = time.GetTimestamp();
                var received = await WatchOnceAsync(cancellationToken).ConfigureAwait(false);
                if (received > 0)
                {
                    backoff = Options.InitialBackoff;
                }
                else if (LastResourceVersion is not null && time.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
                {
                    // The server closed an empty watch at once: do not spin.
                    await Task.Delay(Jitter(backoff), time, cancellationToken).ConfigureAwait(false);
                    backoff = Next(backoff);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (KubeApiException e) when (e.IsGone)
            {
                logger.LogInformation("Relisting {Kind}: resourceVersion {ResourceVersion} is gone", kind, LastResourceVersion);
                LastResourceVersion = null;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or KubeApiException or System.Text.Json.JsonException or OperationCanceledException)
            {
                var delay = Jitter(backoff);
                logger.LogWarning("Lost the {Kind} watch ({Error}); retrying in {Delay} ms", kind, ErrorText.Of(e), (long)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = Next(backoff);
            }
        }

        await resync.ConfigureAwait(false);
    }

    private TimeSpan Next(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, Options.MaxBackoff.Ticks));

    private static TimeSpan Jitter(TimeSpan delay) => delay * (1 + (Random.Shared.NextDouble() * 0.2));

    private async Task<string> ListAndReplaceAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref lists);
        var seen = new HashSet<ObjectKey>();
        bool keepCached(string ns, string name, string resourceVersion)
        {
            var key = new ObjectKey(ns, name);
            seen.Add(key);
            return Store.Get(key)?.Metadata.ResourceVersion == resourceVersion;
        }

        string? continueToken = null;
        string? resourceVersion;
        do
        {
            // An object unchanged since cached keeps its cached copy and is not even built from the response: replacing
            // it turned the whole cache into garbage in the oldest generation on every relist (after an API server
            // restart, when the watch's resourceVersion is gone), which only a full GC frees (docs/performance.md,
            // ninth pass), and building it only to drop it still made the relist the operator's peak RSS (fourteenth).
            var page = await api.ListAsync<T>(Options.Namespace, Options.LabelSelector, Options.PageSize, continueToken, keepCached, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                if (item is null)
                {
                    continue; // kept: keepCached has seen its key
                }

                Interlocked.Increment(ref built);
                var key = ObjectKey.Of(item);
                seen.Add(key); // keepCached saw it too, unless the item's metadata could not be read ahead
                var old = Store.Upsert(WithoutManagedFields(item));
                if (old is null)
                {
                    Dispatch(new InformerEvent<T>(InformerEventType.Added, item, default));
                }
                else
                {
                    Dispatch(new InformerEvent<T>(InformerEventType.Updated, item, old));
                }
            }

            resourceVersion = page.Metadata?.ResourceVersion;
            continueToken = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(continueToken));

        // Objects deleted while we were not watching.
        foreach (var key in Store.KeysNotIn(seen))
        {
            if (Store.Remove(key) is { } gone)
            {
                Dispatch(new InformerEvent<T>(InformerEventType.Deleted, gone, default));
            }
        }

        logger.LogDebug("Listed {Count} objects at resourceVersion {ResourceVersion}", seen.Count, resourceVersion);
        return resourceVersion ?? throw new InvalidOperationException("The list response carried no resourceVersion.");
    }

    private async Task<int> WatchOnceAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref watches);
        var timeout = (int)(Options.MinWatchTimeout.TotalSeconds * (1 + Random.Shared.NextDouble()));
        var received = 0;
        await foreach (var e in api.WatchAsync<T>(Options.Namespace, LastResourceVersion!, Options.LabelSelector, timeout, cancellationToken).ConfigureAwait(false))
        {
            received++;
            switch (e.Type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    var old = Store.Upsert(WithoutManagedFields(e.Entity!));
                    LastResourceVersion = e.Entity!.Metadata.ResourceVersion;
                    Dispatch(new InformerEvent<T>(old is null ? InformerEventType.Added : InformerEventType.Updated, e.Entity, old));
                    break;
                case WatchEventType.Deleted:
                    var removed = Store.Remove(ObjectKey.Of(e.Entity!));
                    LastResourceVersion = e.Entity!.Metadata.ResourceVersion;
                    Dispatch(new InformerEvent<T>(InformerEventType.Deleted, e.Entity, removed));
                    break;
                case WatchEventType.Bookmark:
                    LastResourceVersion = e.Entity?.Metadata?.ResourceVersion ?? LastResourceVersion;
                    break;
                case WatchEventType.Error:
                    var code = (HttpStatusCode)(e.Status?.Code ?? 500);
                    throw new KubeApiException(code, e.Status, "WATCH " + ResourceType.For<T>().Plural);
            }
        }

        return received;
    }

    private async Task ResyncLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Options.ResyncPeriod, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!HasSynced)
                {
                    continue;
                }

                foreach (var item in Store.List())
                {
                    Dispatch(new InformerEvent<T>(InformerEventType.Resync, item, item));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Drops <c>metadata.managedFields</c> before the object is cached, as controller-runtime's
    /// <c>cache.TransformStripManagedFields</c> does: nothing here reads them (server-side apply's merge happens in the
    /// API server), and each entry's <c>fieldsV1</c> is a JSON document of its own on the heap, one per field manager
    /// per object, for every object the cache holds.
    /// </summary>
    internal static T WithoutManagedFields(T item)
    {
        item.Metadata?.ManagedFields = null;
        return item;
    }

    private void Dispatch(InformerEvent<T> e)
    {
        Action<InformerEvent<T>>[] current;
        lock (handlers)
        {
            current = [.. handlers];
        }

        foreach (var handler in current)
        {
            try
            {
                handler(e);
            }
#pragma warning disable CA1031 // A faulty handler must not stop the informer.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "An informer handler failed");
            }
        }
    }
}

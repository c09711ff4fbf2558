using System.Diagnostics;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Cache;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Events;
using MetricsOperator.Runtime.Logging;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Runtime.Queue;
using MetricsOperator.Runtime.Reconcile;
using Microsoft.Extensions.Logging;

namespace MetricsOperator.Runtime.Controller;

/// <summary>A controller seen without its type: something the manager starts while it leads.</summary>
public interface IController : IAsyncDisposable
{
    /// <summary>The controller's name (metrics label, queue name, log scope).</summary>
    string Name { get; }

    /// <summary>Runs the workers until <paramref name="cancellationToken"/> is cancelled, then waits for them.
    /// May be called again after it returned (a new leadership term).</summary>
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// One controller: a work queue of primary keys fed by informers, and N workers that take a key, read the object from
/// the cache and hand a copy to the reconciler (or, when it is being deleted, to the finalizer). One dispatch point
/// turns each outcome into queue actions and metrics: error (backoff, or forget if terminal), requeue (backoff),
/// requeue-after (delay) and success (forget). A key is never reconciled by two workers at once.
/// </summary>
/// <typeparam name="T">The primary kind.</typeparam>
public sealed class Controller<T> : IController
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Informer<T> primary;
    private readonly Func<IReconciler<T>> reconcilerFactory;
    private readonly IReadOnlyList<IFinalizer<T>> finalizers;
    private readonly ObjectClient client;
    private readonly IEventRecorder events;
    private readonly RuntimeMetrics metrics;
    private readonly ILogger logger;
    private readonly int workers;
    private readonly string kind;

    internal Controller(
        string name,
        int workers,
        Informer<T> primary,
        Func<IReconciler<T>> reconcilerFactory,
        IReadOnlyList<IFinalizer<T>> finalizers,
        ObjectClient client,
        IEventRecorder events,
        RuntimeMetrics metrics,
        ILogger logger,
        ExponentialBackoff<ObjectKey>? backoff,
        Func<T, T, bool>? updateMatters = null)
    {
        Name = name;
        this.workers = workers;
        this.primary = primary;
        this.reconcilerFactory = reconcilerFactory;
        this.finalizers = finalizers;
        this.client = client;
        this.events = events;
        this.metrics = metrics;
        this.logger = logger;
        kind = ResourceType.For<T>().Kind;
        Queue = new WorkQueue<ObjectKey>(backoff, metrics.ForQueue(name));
        primary.AddHandler(e =>
        {
            // An update that does not matter (by default every one does) is most often the reconciler's own status patch.
            if (e.Type == InformerEventType.Updated && e.Old is not null && updateMatters is not null && !updateMatters(e.Old, e.Entity))
            {
                return;
            }

            Queue.Add(ObjectKey.Of(e.Entity));
        });
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The controller's queue (exposed for tests and diagnostics, and for work finished outside a reconcile that the primary's status reports).</summary>
    public WorkQueue<ObjectKey> Queue { get; }

    /// <summary>
    /// Maps events of another informer to primary keys and queues them; <paramref name="updateMatters"/> (old, new)
    /// drops updates the primaries do not depend on. Resync events are dropped: the primary's own informer resyncs every
    /// primary, and mapping another kind's resync too would reconcile each primary once more per resync period.
    /// </summary>
    internal void Watch<TOther>(Informer<TOther> informer, Func<TOther, IEnumerable<ObjectKey>> map, Func<TOther, TOther, bool>? updateMatters = null)
        where TOther : class, IKubernetesObject<V1ObjectMeta>
    {
        informer.AddHandler(e =>
        {
            if (e.Type == InformerEventType.Resync
                || (e.Type == InformerEventType.Updated && e.Old is not null && updateMatters is not null && !updateMatters(e.Old, e.Entity)))
            {
                return;
            }

            foreach (var key in map(e.Entity))
            {
                Queue.Add(key);
            }

            if (e.Type == InformerEventType.Updated && e.Old is not null)
            {
                foreach (var key in map(e.Old))
                {
                    Queue.Add(key);
                }
            }
        });
    }

    /// <inheritdoc/>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Started {Workers} workers of controller {Controller}", workers, Name);
        var running = Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkerAsync(cancellationToken), CancellationToken.None)).ToArray();
        await Task.WhenAll(running).ConfigureAwait(false);
        logger.LogInformation("Stopped the workers of controller {Controller}", Name);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await Queue.DisposeAsync().ConfigureAwait(false);

    private async Task WorkerAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ObjectKey key;
            try
            {
                (key, var shutdown) = await Queue.GetAsync(cancellationToken).ConfigureAwait(false);
                if (shutdown)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            metrics.ActiveWorkers.WithLabels(Name).Inc();
            try
            {
                await ProcessAsync(key, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                metrics.ActiveWorkers.WithLabels(Name).Dec();
                Queue.Done(key);
            }
        }
    }

    private async Task ProcessAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var reconcileId = Guid.NewGuid().ToString();
        using var scope = logger.BeginScope(new LogScope(
            new("controller", Name), new("kind", kind), new("namespace", key.Namespace), new("name", key.Name), new("reconcileID", reconcileId)));
        // As this process last wrote it when the cache lags its own status or finalizer write (ObjectClient.OwnWrites).
        var cached = client.OwnWrites.Newest(key, primary.Store.Get(key));
        if (cached is null)
        {
            // Gone: its children go with it (garbage collection); nothing to converge.
            logger.LogDebug("{Kind} {Key} is gone; nothing to reconcile", kind, key);
            Queue.Forget(key);
            Count(ReconcileResultLabels.Success);
            return;
        }

        var entity = ObjectCopy.Clone(cached);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = entity.Metadata.DeletionTimestamp is not null
                ? await FinalizeAsync(entity, cancellationToken).ConfigureAwait(false)
                : await ReconcileLiveAsync(entity, cancellationToken).ConfigureAwait(false);
            switch (result.Outcome)
            {
                case ReconcileOutcome.RequeueAfter when result.Delay > TimeSpan.Zero:
                    Queue.Forget(key);
                    Queue.AddAfter(key, result.Delay);
                    Count(ReconcileResultLabels.RequeueAfter);
                    break;
                case ReconcileOutcome.Requeue or ReconcileOutcome.RequeueAfter:
                    Queue.AddRateLimited(key);
                    Count(ReconcileResultLabels.Requeue);
                    break;
                default:
                    Queue.Forget(key);
                    Count(ReconcileResultLabels.Success);
                    break;
            }

            logger.LogDebug("Reconciled {Kind} {Key}: {Outcome}", kind, key, result.Outcome);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped mid-reconcile (shutdown or lost leadership): keep the key for whoever runs next.
            Queue.Add(key);
        }
        catch (TerminalReconcileException e)
        {
            Count(ReconcileResultLabels.Error);
            metrics.ReconcileErrors.WithLabels(Name).Inc();
            Queue.Forget(key);
            logger.LogError("Reconcile of {Kind} {Key} failed and will not be retried: {Error}", kind, key, Redactor.Redact(e.Message));
            events.Record(cached, EventTypes.Warning, "ReconcileFailed", e.Message);
        }
#pragma warning disable CA1031 // Any failure of a reconciler is retried with backoff; the worker must survive it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Count(ReconcileResultLabels.Error);
            metrics.ReconcileErrors.WithLabels(Name).Inc();
            Queue.AddRateLimited(key);
            logger.LogError("Reconcile of {Kind} {Key} failed (attempt {Attempt}), retrying with backoff: {ErrorType}: {Error}",
                kind, key, Queue.NumRequeues(key), e.GetType().Name, Redactor.Redact(e.Message));
            events.Record(cached, EventTypes.Warning, "ReconcileError", $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            metrics.ReconcileTime.WithLabels(Name).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private async Task<ReconcileResult> ReconcileLiveAsync(T entity, CancellationToken cancellationToken)
    {
        var current = entity.Metadata.Finalizers ?? [];
        var missing = finalizers.Where(f => !current.Contains(f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            var updated = await client.SetFinalizersAsync(entity, [.. current, .. missing], cancellationToken).ConfigureAwait(false);
            entity.Metadata.Finalizers = updated.Metadata.Finalizers;
            entity.Metadata.ResourceVersion = updated.Metadata.ResourceVersion;
            logger.LogInformation("Added finalizers {Finalizers} to {Kind} {Name}", missing, kind, entity.Metadata.Name);
        }

        return await reconcilerFactory().ReconcileAsync(entity, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ReconcileResult> FinalizeAsync(T entity, CancellationToken cancellationToken)
    {
        var current = entity.Metadata.Finalizers ?? [];
        var ours = finalizers.Where(f => current.Contains(f.Name)).ToList();
        if (ours.Count == 0)
        {
            // Being deleted and nothing of ours holds it: never reconcile it as a live object.
            return ReconcileResult.Done;
        }

        foreach (var finalizer in ours)
        {
            await finalizer.FinalizeAsync(entity, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Ran finalizer {Finalizer} of {Kind} {Name}", finalizer.Name, kind, entity.Metadata.Name);
        }

        var remaining = current.Where(f => ours.All(o => o.Name != f)).ToList();
        await client.SetFinalizersAsync(entity, remaining, cancellationToken).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    private void Count(string result) => metrics.ReconcileTotal.WithLabels(Name, result).Inc();
}

using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Runtime.Cache;

/// <summary>
/// The shared informers of one manager, one per (kind, label selector): controllers that watch the same kind share
/// one watch and one cache. Informers asked for after <see cref="Start"/> start at once.
/// </summary>
public sealed class InformerCache
{
    private readonly KubeApi api;
    private readonly InformerOptions defaults;
    private readonly ILoggerFactory loggers;
    private readonly Dictionary<(Type, string?), IInformer> informers = [];
    private readonly List<Task> running = [];
    private readonly TaskCompletionSource failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken started;
    private bool isStarted;

    /// <summary>Creates an empty cache; <paramref name="defaults"/> gives the namespace, resync period and backoff of every informer.</summary>
    public InformerCache(KubeApi api, InformerOptions? defaults = null, ILoggerFactory? loggerFactory = null)
    {
        this.api = api ?? throw new ArgumentNullException(nameof(api));
        this.defaults = defaults ?? new InformerOptions();
        loggers = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>True when every informer has synced.</summary>
    public bool HasSynced
    {
        get
        {
            lock (informers)
            {
                return isStarted && informers.Values.All(i => i.HasSynced);
            }
        }
    }

    /// <summary>
    /// Faults with the error of the first informer that stopped on one it does not retry (informers retry the network
    /// and the API server's errors for ever); never completes otherwise.
    /// </summary>
    public Task Failed => failed.Task;

    /// <summary>The informer for <typeparamref name="T"/> with <paramref name="labelSelector"/>, created on first use.</summary>
    public Informer<T> GetInformer<T>(string? labelSelector = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (informers)
        {
            if (informers.TryGetValue((typeof(T), labelSelector), out var existing))
            {
                return (Informer<T>)existing;
            }

            var informer = new Informer<T>(api, defaults with { LabelSelector = labelSelector }, loggers.CreateLogger("MetricsOperator.Runtime.Informer"));
            informers.Add((typeof(T), labelSelector), informer);
            if (isStarted)
            {
                running.Add(Observed(informer.RunAsync(started)));
            }

            return informer;
        }
    }

    /// <summary>The cache of <typeparamref name="T"/> (the first informer of that kind, whatever its selector), or null.</summary>
    public IReadOnlyStore<T>? TryGetStore<T>()
        where T : class, IKubernetesObject<V1ObjectMeta> => TryGetInformer<T>()?.Store;

    /// <summary>The first informer of <typeparamref name="T"/>, whatever its selector (the one <see cref="TryGetStore{T}"/> reads), or null.</summary>
    public Informer<T>? TryGetInformer<T>()
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (informers)
        {
            return informers.FirstOrDefault(i => i.Key.Item1 == typeof(T)).Value as Informer<T>;
        }
    }

    /// <summary>Starts every informer; they run until <paramref name="cancellationToken"/> is cancelled.</summary>
    public void Start(CancellationToken cancellationToken)
    {
        lock (informers)
        {
            if (isStarted)
            {
                return;
            }

            isStarted = true;
            started = cancellationToken;
            foreach (var informer in informers.Values)
            {
                running.Add(Observed(informer.RunAsync(cancellationToken)));
            }
        }
    }

    /// <summary>Waits until every informer has synced.</summary>
    public async Task WaitForSyncAsync(CancellationToken cancellationToken)
    {
        IInformer[] all;
        lock (informers)
        {
            all = [.. informers.Values];
        }

        await Task.WhenAll(all.Select(i => i.WaitForSyncAsync(cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Waits for every informer to stop (after the start token was cancelled); an informer's error is
    /// <see cref="Failed"/>'s, not this task's.</summary>
    public Task StoppedAsync()
    {
        lock (informers)
        {
            return Task.WhenAll(running);
        }
    }

    private Task Observed(Task run) => run.ContinueWith(
        task =>
        {
            if (task.Exception is { } error)
            {
                failed.TrySetException(error.InnerExceptions);
            }
        },
        CancellationToken.None,
        TaskContinuationOptions.ExecuteSynchronously,
        TaskScheduler.Default);
}

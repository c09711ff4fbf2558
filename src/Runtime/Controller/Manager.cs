using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Cache;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Events;
using MetricsOperator.Runtime.Leader;
using MetricsOperator.Runtime.Memory;
using MetricsOperator.Runtime.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Runtime.Controller;

/// <summary>
/// Owns what controllers share — the informer cache, the client, the Event recorder, the metrics, leader election — and
/// runs them: caches start on every replica (so a follower is ready to take over with a warm cache), controllers only
/// on the leader, and stop the moment leadership is lost.
/// </summary>
public sealed class Manager : IAsyncDisposable
{
    private readonly List<IController> controllers = [];
    private readonly ILoggerFactory loggers;
    private volatile bool ready;
    private volatile bool leading;

    /// <summary>Creates a manager.</summary>
    /// <param name="api">The REST client.</param>
    /// <param name="options">Settings.</param>
    /// <param name="loggerFactory">Logging.</param>
    /// <param name="metrics">Metrics (the default registry when null).</param>
    /// <param name="services">Where <c>Complete&lt;TReconciler&gt;()</c> resolves reconcilers and finalizers.</param>
    public Manager(KubeApi api, ManagerOptions? options = null, ILoggerFactory? loggerFactory = null, RuntimeMetrics? metrics = null, IServiceProvider? services = null)
    {
        Api = api ?? throw new ArgumentNullException(nameof(api));
        Options = options ?? new ManagerOptions();
        loggers = loggerFactory ?? NullLoggerFactory.Instance;
        Logger = loggers.CreateLogger("MetricsOperator.Runtime.Manager");
        Metrics = metrics ?? new RuntimeMetrics();
        Services = services;
        Cache = new InformerCache(api, Options.Informers with { Namespace = Options.Namespace, ResyncPeriod = Options.ResyncPeriod }, loggers);
        Client = new ObjectClient(api, Cache, new ApplyOptions { FieldManager = Options.Name, HashAnnotation = Options.HashAnnotation });
        Events = new EventRecorder(api, Options.Name, Options.LeaderElection?.Identity, loggers.CreateLogger("MetricsOperator.Runtime.Events"));
        if (Options.LeaderElection is { } election)
        {
            Elector = new LeaderElector(api, election, loggers.CreateLogger("MetricsOperator.Runtime.LeaderElection"));
            Elector.LeadershipChanged += (_, isLeader) => Metrics.Leader.WithLabels(election.LeaseName).Set(isLeader ? 1 : 0);
        }
    }

    /// <summary>Settings.</summary>
    public ManagerOptions Options { get; }

    /// <summary>The REST client.</summary>
    public KubeApi Api { get; }

    /// <summary>The shared informers.</summary>
    public InformerCache Cache { get; }

    /// <summary>The cache-backed client reconcilers write with.</summary>
    public ObjectClient Client { get; }

    /// <summary>The Event recorder.</summary>
    public EventRecorder Events { get; }

    /// <summary>The metrics.</summary>
    public RuntimeMetrics Metrics { get; }

    /// <summary>The leader elector, when leader election is on.</summary>
    public LeaderElector? Elector { get; }

    /// <summary>Services for reconcilers built by type.</summary>
    public IServiceProvider? Services { get; }

    /// <summary>True once every informer has synced (<c>/readyz</c>).</summary>
    public bool IsReady => ready;

    /// <summary>True while this instance runs its controllers.</summary>
    public bool IsLeader => leading;

    /// <summary>The controllers.</summary>
    public IReadOnlyList<IController> Controllers => controllers;

    internal ILogger Logger { get; }

    internal ILoggerFactory LoggerFactory => loggers;

    /// <summary>What stopped the last run, when it stopped on an error rather than on cancellation (the process's exit
    /// code is read from it).</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Starts describing a controller: <c>manager.NewController().For&lt;X&gt;().Owns&lt;Y&gt;().Complete(reconciler)</c>.</summary>
    public ControllerBuilder NewController() => new(this);

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled: starts the caches, waits for them to sync,
    /// then runs the controllers (under leader election when configured). Throws when an informer stops on an error it
    /// does not retry, so that the process ends and is restarted, visibly, rather than staying up, healthy and deaf.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Cache.Start(stopping.Token);
        var work = SyncThenRunControllersAsync(stopping.Token);
        try
        {
            await (await Task.WhenAny(work, Cache.Failed).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Failure = e;
            throw;
        }
        finally
        {
            ready = false;
            await stopping.CancelAsync().ConfigureAwait(false);
            await Quietly(work).ConfigureAwait(false);
            await Cache.StoppedAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var controller in controllers)
        {
            await controller.DisposeAsync().ConfigureAwait(false);
        }

        await Events.DisposeAsync().ConfigureAwait(false);
    }

    internal void Add(IController controller)
    {
        if (controllers.Any(c => c.Name == controller.Name))
        {
            throw new InvalidOperationException($"A controller named '{controller.Name}' exists already.");
        }

        controllers.Add(controller);
    }

    private async Task SyncThenRunControllersAsync(CancellationToken cancellationToken)
    {
        await Cache.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
        ready = true;
        Logger.LogInformation("Caches synced; {Count} controllers registered", controllers.Count);
        if (Elector is not null)
        {
            await Elector.RunAsync(RunControllersAsync, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await RunControllersAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Waits for the controllers to stop once the run is over; what they threw was reported by the run already, or is
    // the cancellation that stopped them.
    private static async Task Quietly(Task work)
    {
        try
        {
            await work.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Already observed above, or the cancellation itself.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task RunControllersAsync(CancellationToken cancellationToken)
    {
        leading = true;
        try
        {
            var work = controllers.Select(c => c.RunAsync(cancellationToken)).ToList();
            if (Options.HeapTrimAfterBytes > 0)
            {
                // Looked at every second: a burst's end is seen within a second of its quiet period.
                var trimmer = new HeapTrimmer(
                    Metrics,
                    new BurstEnd(Options.HeapTrimAfterBytes, Options.HeapTrimQuiet, Options.HeapTrimQuietBytes),
                    () => GC.GetTotalAllocatedBytes(),
                    loggers.CreateLogger("MetricsOperator.Runtime.HeapTrimmer"),
                    fragmentedBytes: Options.HeapTrimFragmentedBytes,
                    burstSlackBytes: Options.HeapTrimBurstSlackBytes);
                work.Add(trimmer.RunAsync(TimeSpan.FromSeconds(1), cancellationToken));
            }

            await Task.WhenAll(work).ConfigureAwait(false);
        }
        finally
        {
            leading = false;
        }
    }
}

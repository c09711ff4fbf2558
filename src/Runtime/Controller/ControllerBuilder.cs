using System.Diagnostics.CodeAnalysis;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Queue;
using MetricsOperator.Runtime.Reconcile;
using Microsoft.Extensions.DependencyInjection;

namespace MetricsOperator.Runtime.Controller;

/// <summary>The first word of a controller's description: <c>For&lt;TPrimary&gt;()</c>.</summary>
public sealed class ControllerBuilder
{
    private readonly Manager manager;

    internal ControllerBuilder(Manager manager) => this.manager = manager;

    /// <summary>The kind this controller reconciles: its objects' keys are what the queue holds.</summary>
    public ControllerBuilder<T> For<T>()
        where T : class, IKubernetesObject<V1ObjectMeta> => new(manager);
}

/// <summary>
/// Describes a controller the way controller-runtime's builder does:
/// <c>For&lt;Primary&gt;().Owns&lt;Child&gt;().Watches&lt;Other&gt;(map).WithFinalizer(f).Complete(reconciler)</c>.
/// </summary>
/// <typeparam name="T">The primary kind.</typeparam>
public sealed class ControllerBuilder<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Manager manager;
    private readonly List<Action<Controller<T>>> watches = [];
    private readonly List<Func<IFinalizer<T>>> finalizers = [];
    private string? name;
    private int? workers;
    private Func<T, T, bool>? updateMatters;

    internal ControllerBuilder(Manager manager) => this.manager = manager;

    /// <summary>Names the controller (default: the primary kind in lower case).</summary>
    public ControllerBuilder<T> Named(string controllerName)
    {
        name = controllerName;
        return this;
    }

    /// <summary>Sets how many keys are reconciled in parallel (default from the manager: 2).</summary>
    public ControllerBuilder<T> WithWorkers(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        workers = count;
        return this;
    }

    /// <summary>
    /// Watches children of <typeparamref name="TChild"/> that carry the managed-by label and queues the key of their
    /// controller owner when it is a <typeparamref name="T"/>. Their cache is what apply compares with and prune reads.
    /// </summary>
    public ControllerBuilder<T> Owns<TChild>()
        where TChild : class, IKubernetesObject<V1ObjectMeta>
    {
        var ownerType = ResourceType.For<T>();
        var selector = manager.Client.Options.ManagedBySelector;
        watches.Add(c => c.Watch(manager.Cache.GetInformer<TChild>(selector), child => OwnerMapping.ControllerKey(child, ownerType) is { } key ? [key] : []));
        return this;
    }

    /// <summary>Watches <typeparamref name="TOther"/> (optionally only objects matching <paramref name="labelSelector"/>)
    /// and queues the primary keys <paramref name="map"/> returns for each event (not for resyncs: the primaries resync
    /// themselves). <paramref name="updateMatters"/> (old, new) keeps only the updates the primaries depend on.</summary>
    public ControllerBuilder<T> Watches<TOther>(Func<TOther, IEnumerable<ObjectKey>> map, string? labelSelector = null, Func<TOther, TOther, bool>? updateMatters = null)
        where TOther : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(map);
        watches.Add(c => c.Watch(manager.Cache.GetInformer<TOther>(labelSelector), map, updateMatters));
        return this;
    }

    /// <summary>
    /// Indexes the primaries in the cache by <paramref name="indexer"/>'s values, under <paramref name="indexName"/>
    /// (controller-runtime's field indexer): a reconciler or watch map then finds the objects sharing a value with
    /// <see cref="Cache.IReadOnlyStore{T}.ByIndex"/> instead of listing and filtering all of them.
    /// </summary>
    public ControllerBuilder<T> IndexedBy(string indexName, Func<T, IEnumerable<string>> indexer)
    {
        ArgumentException.ThrowIfNullOrEmpty(indexName);
        ArgumentNullException.ThrowIfNull(indexer);
        manager.Cache.GetInformer<T>().Store.AddIndex(indexName, indexer);
        return this;
    }

    /// <summary>
    /// Reconciles a primary on an update only when <paramref name="updateMatters"/> (old, new) says so, e.g.
    /// <see cref="UpdateFilters.SpecOrMetadataChanged"/>: the reconciler's own status patch then does not bring the
    /// object straight back, past the backoff of a <c>Requeue</c>. Adds, deletes and resyncs always reconcile.
    /// </summary>
    public ControllerBuilder<T> ReconcilesUpdatesWhen(Func<T, T, bool> updateMatters)
    {
        this.updateMatters = updateMatters ?? throw new ArgumentNullException(nameof(updateMatters));
        return this;
    }

    /// <summary>Adds a finalizer: its name is put on every live object, and its cleanup runs before it is removed.</summary>
    public ControllerBuilder<T> WithFinalizer(IFinalizer<T> finalizer)
    {
        ArgumentNullException.ThrowIfNull(finalizer);
        finalizers.Add(() => finalizer);
        return this;
    }

    /// <summary>
    /// Adds a finalizer resolved from the manager's services on first use, like the reconciler: it may depend on
    /// services (the ObjectClient) that are built from the manager this builder is still describing.
    /// </summary>
    public ControllerBuilder<T> WithFinalizer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TFinalizer>()
        where TFinalizer : IFinalizer<T>
    {
        finalizers.Add(() => new LazyFinalizer(new Lazy<IFinalizer<T>>(() => Resolve<TFinalizer>())));
        return this;
    }

    /// <summary>Builds the controller with <paramref name="reconciler"/> and registers it with the manager.</summary>
    public Controller<T> Complete(IReconciler<T> reconciler)
    {
        ArgumentNullException.ThrowIfNull(reconciler);
        return Complete(() => reconciler);
    }

    /// <summary>Builds the controller with a reconciler resolved (once) from the manager's services.</summary>
    public Controller<T> Complete<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TReconciler>()
        where TReconciler : IReconciler<T>
    {
        var reconciler = new Lazy<TReconciler>(Resolve<TReconciler>);
        return Complete(() => reconciler.Value);
    }

    private Controller<T> Complete(Func<IReconciler<T>> factory)
    {
        var controllerName = name ?? ResourceType.For<T>().Kind.ToLowerInvariant();
        var controller = new Controller<T>(
            controllerName,
            workers ?? manager.Options.Workers,
            manager.Cache.GetInformer<T>(),
            factory,
            [.. finalizers.Select(f => f())],
            manager.Client,
            manager.Events,
            manager.Metrics,
            manager.LoggerFactory.CreateLogger("MetricsOperator.Runtime.Controller"),
            new ExponentialBackoff<ObjectKey>(manager.Options.BackoffBase, manager.Options.BackoffMax),
            updateMatters);
        foreach (var watch in watches)
        {
            watch(controller);
        }

        manager.Add(controller);
        return controller;
    }

    // Resolving at Complete() would ask for the manager while the manager is being built (endless recursion in DI).
    private sealed class LazyFinalizer(Lazy<IFinalizer<T>> finalizer) : IFinalizer<T>
    {
        public string Name => finalizer.Value.Name;

        public Task FinalizeAsync(T entity, CancellationToken cancellationToken) => finalizer.Value.FinalizeAsync(entity, cancellationToken);
    }

    private TService Resolve<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TService>() =>
        manager.Services is { } services
            ? ActivatorUtilities.GetServiceOrCreateInstance<TService>(services)
            : throw new InvalidOperationException($"The manager has no services to build {typeof(TService).Name} from; pass an instance.");
}

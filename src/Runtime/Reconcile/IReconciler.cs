using k8s;
using k8s.Models;

namespace MetricsOperator.Runtime.Reconcile;

/// <summary>
/// Converges the world toward one object's spec. It is handed the object as it is in the cache now (a copy it may
/// mutate), never the event that caused the call: it reads the current state and converges, so it must be idempotent.
/// Objects being deleted (deletionTimestamp set) are never passed here: they go to <see cref="IFinalizer{T}"/>.
/// </summary>
/// <typeparam name="T">The primary kind.</typeparam>
public interface IReconciler<in T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Reconciles <paramref name="entity"/>. Throw to retry with backoff; throw
    /// <see cref="TerminalReconcileException"/> to stop retrying.</summary>
    Task<ReconcileResult> ReconcileAsync(T entity, CancellationToken cancellationToken);
}

/// <summary>
/// Cleanup that must happen before a primary object goes away. The controller adds <see cref="Name"/> to the
/// object's finalizers before the first reconcile; when the object is deleted it calls <see cref="FinalizeAsync"/>
/// and removes the finalizer only after it returned without throwing (a throw is retried with backoff).
/// </summary>
/// <typeparam name="T">The primary kind.</typeparam>
public interface IFinalizer<in T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The finalizer's name, a qualified name such as <c>metrics.lsst.io/cleanup</c>.</summary>
    string Name { get; }

    /// <summary>Releases what the object holds outside Kubernetes' garbage collection. Must be idempotent.</summary>
    Task FinalizeAsync(T entity, CancellationToken cancellationToken);
}

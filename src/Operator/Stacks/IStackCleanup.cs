using MetricsOperator.Crds;

namespace MetricsOperator.Stacks;

/// <summary>
/// Something outside the cluster that a deleted MetricsStack would leave behind (e.g. its datasources in an external
/// Grafana): <see cref="MetricsStackFinalizer"/> runs every registered cleanup first. A cleanup that throws keeps the
/// finalizer, and the deletion is retried with the key's backoff.
/// </summary>
public interface IStackCleanup
{
    /// <summary>Removes what <paramref name="stack"/> made outside the cluster; idempotent.</summary>
    Task CleanUpAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken);
}

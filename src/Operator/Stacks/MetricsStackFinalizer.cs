using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Reconcile;
using MetricsOperator.Stacks.Builders;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Stacks;

/// <summary>
/// Runs when a MetricsStack is deleted. With <c>spec.influxdb.deletionPolicy: Delete</c> it deletes the data claims
/// (InfluxDB's <c>data-&lt;stack&gt;-influxdb-0</c>, which the StatefulSet controller made and nothing owns, and
/// Grafana's <c>&lt;stack&gt;-grafana</c>); with <c>Retain</c> it deletes nothing. Telegraf's buffer claims are never
/// deleted (unsent metrics). The copies of the listener token in other namespaces (<c>metrics-write-token</c>) are
/// deleted whatever the policy: they open nothing kept, and ownerReferences cannot reach across namespaces. Everything
/// else goes by garbage collection through ownerReferences. What the stack made outside the cluster goes first, by the
/// registered <see cref="IStackCleanup"/>s (an external Grafana's datasources).
/// </summary>
/// <remarks>
/// It takes the <see cref="KubeApi"/>, not the Manager's client: finalizers are resolved while the Manager itself is
/// being built, and it reads and deletes through the API anyway.
/// </remarks>
public sealed class MetricsStackFinalizer(KubeApi api, ILogger<MetricsStackFinalizer>? logger = null, IEnumerable<IStackCleanup>? cleanups = null) : IFinalizer<V1Alpha1MetricsStack>
{
    private readonly ILogger logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>The finalizer's name on every MetricsStack.</summary>
    public const string FinalizerName = ApiGroup.Name + "/data-volumes";

    /// <inheritdoc/>
    public string Name => FinalizerName;

    /// <summary>The claims a deleted stack takes with it: none unless its deletionPolicy is Delete.</summary>
    public static IReadOnlyList<string> ClaimsToDelete(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.InfluxDb.DeletionPolicy == DeletionPolicy.Delete
            ? [StackNames.InfluxDbDataClaim(stack), StackNames.Grafana(stack)]
            : [];
    }

    /// <inheritdoc/>
    public async Task FinalizeAsync(V1Alpha1MetricsStack entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        foreach (var cleanup in cleanups ?? [])
        {
            await cleanup.CleanUpAsync(entity, cancellationToken);
        }

        await RemoveTokenCopiesAsync(entity, cancellationToken);
        var ns = StackNames.Namespace(entity);
        foreach (var name in ClaimsToDelete(DefaultedStack.Of(entity)))
        {
            // Read from the API, not the cache: this runs once, and a stale cache must not hide a claim.
            var claim = await api.GetAsync<V1PersistentVolumeClaim>(ns, name, cancellationToken);
            if (claim is null || !IsThisStacksClaim(claim, entity))
            {
                // A claim of that name the operator did not label for this stack is someone else's data: never touch it.
                continue;
            }

            if (await api.DeleteAsync<V1PersistentVolumeClaim>(ns, name, claim.Metadata.Uid, cancellationToken))
            {
                logger.LogInformation("Deleted PersistentVolumeClaim {Claim} of MetricsStack {Namespace}/{Name} (deletionPolicy Delete)", name, ns, entity.Metadata.Name);
            }
        }
    }

    /// <summary>
    /// Deletes the token copies where status says they are and where the opt-in label says they would be (a copy made by
    /// a reconcile whose status write was lost). A 403 throws: the finalizer stays and the deletion is retried.
    /// </summary>
    private async Task RemoveTokenCopiesAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken)
    {
        var labelled = await api.ListAsync<V1Namespace>(null, $"{WriteTokenSecrets.OptInLabel}={stack.Metadata.Name}", cancellationToken: cancellationToken);
        var namespaces = (stack.Status?.WriteAccess?.Namespaces ?? [])
            .Concat(labelled.Items.Select(n => n.Metadata.Name))
            .Distinct(StringComparer.Ordinal);
        foreach (var ns in namespaces)
        {
            await WriteAccess.WriteTokenDelivery.RemoveCopyAsync(api, stack, ns, logger, cancellationToken);
        }
    }

    private static bool IsThisStacksClaim(V1PersistentVolumeClaim claim, V1Alpha1MetricsStack stack) =>
        claim.Metadata.Labels is { } labels
        && labels.TryGetValue(StackLabels.ManagedBy, out var manager) && manager == StackLabels.ManagedByValue
        && labels.TryGetValue(StackLabels.Stack, out var owner) && owner == stack.Metadata.Name;
}

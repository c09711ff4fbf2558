using System.Net;
using System.Text.Json.Nodes;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Stacks.Builders;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Stacks.Storage;

/// <summary>
/// Grows volumes in place, the way CloudNativePG and Strimzi do: each existing claim's request is patched (when its
/// StorageClass allows expansion), then the StatefulSet is deleted with <c>propagationPolicy: Orphan</c> so its pods keep
/// running, and the reconcile's apply re-creates it with the new claim template; the new StatefulSet adopts the running
/// pods, and as their template did not change none is restarted. Every step is idempotent, so a reconcile cut short
/// anywhere is finished by the next one.
/// </summary>
public sealed class StorageGrowth(KubeApi api, ILogger? logger = null)
{
    private readonly ILogger logger = logger ?? NullLogger.Instance;

    /// <summary>
    /// Carries out <paramref name="growths"/>. <c>Refused</c>: why a volume cannot grow (for <c>VolumeExpansionRefused</c>).
    /// <c>Waiting</c>: a StatefulSet is still being deleted (the garbage collector takes its pods' ownerReferences off
    /// first), so it cannot be re-created yet. Both null: the apply may go ahead.
    /// </summary>
    public async Task<(string? Refused, string? Waiting)> CarryOutAsync(V1Alpha1MetricsStack stack, IReadOnlyList<StatefulSetGrowth> growths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(growths);
        var ns = StackNames.Namespace(stack);
        foreach (var growth in growths)
        {
            foreach (var claim in growth.Claims)
            {
                if (await WhyNotExpandableAsync(claim, growth, cancellationToken).ConfigureAwait(false) is { } why)
                {
                    return (why, null);
                }

                var patch = new JsonObject { ["spec"] = new JsonObject { ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = claim.To.ToString() } } } };
                try
                {
                    await api.PatchAsync<V1PersistentVolumeClaim>(ns, claim.Claim, PatchType.Merge, patch.ToJsonString(), cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (KubeApiException e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity && IsResizeRefusal(e))
                {
                    // The PersistentVolumeClaimResize admission plugin or validation: e.g. "Only bound persistent volume claims can be expanded".
                    return ($"{growth.Field}: PersistentVolumeClaim {claim.Claim} cannot grow from {claim.From} to {claim.To}: {e.Status?.Message ?? e.Message}", null);
                }

                logger.LogInformation("Grew PersistentVolumeClaim {Namespace}/{Claim} from {From} to {To}", ns, claim.Claim, claim.From, claim.To);
            }

            // The claim template is immutable: re-create the StatefulSet, leaving its pods running (the apply that follows adopts them).
            var running = await api.GetAsync<V1StatefulSet>(ns, growth.StatefulSet, cancellationToken).ConfigureAwait(false);
            if (running is not null && running.Metadata.DeletionTimestamp is null
                && await api.DeleteAsync<V1StatefulSet>(ns, growth.StatefulSet, running.Metadata.Uid, "Orphan", cancellationToken).ConfigureAwait(false))
            {
                logger.LogInformation("Deleted StatefulSet {Namespace}/{Name} with its pods orphaned, to re-create it with the larger claim template", ns, growth.StatefulSet);
            }

            // Applying to the StatefulSet while it terminates would change the old object (and be refused: the template
            // is immutable). Until the garbage collector has let it go, wait.
            if (await api.GetAsync<V1StatefulSet>(ns, growth.StatefulSet, cancellationToken).ConfigureAwait(false) is not null)
            {
                return (null, $"StatefulSet {growth.StatefulSet} is being deleted with its pods orphaned, to be re-created with the larger claim template ({growth.Field})");
            }
        }

        return (null, null);
    }

    private async Task<string?> WhyNotExpandableAsync(ClaimGrowth claim, StatefulSetGrowth growth, CancellationToken cancellationToken)
    {
        if (claim.StorageClass is not { Length: > 0 } name)
        {
            return $"{growth.Field}: PersistentVolumeClaim {claim.Claim} has no StorageClass, so it cannot grow (only dynamically provisioned volumes can); keep the size at {claim.From}";
        }

        var storageClass = await api.GetAsync<V1StorageClass>(null, name, cancellationToken).ConfigureAwait(false);
        return storageClass?.AllowVolumeExpansion == true
            ? null
            : $"{growth.Field}: PersistentVolumeClaim {claim.Claim} cannot grow from {claim.From} to {claim.To}: StorageClass {name} " +
              (storageClass is null ? "does not exist" : "does not allow volume expansion (allowVolumeExpansion is not true)") +
              $"; ask the cluster's admin to allow it, or set the size back to {claim.From}";
    }

    private static bool IsResizeRefusal(KubeApiException e) =>
        (e.Status?.Message ?? e.Message) is { } message
        && (message.Contains("expand", StringComparison.OrdinalIgnoreCase) || message.Contains("resize", StringComparison.OrdinalIgnoreCase) || message.Contains("less than previous", StringComparison.OrdinalIgnoreCase));
}

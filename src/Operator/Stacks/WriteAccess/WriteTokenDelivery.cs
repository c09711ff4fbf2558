using System.Net;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Stacks.Builders;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Stacks.WriteAccess;

/// <summary>What delivering the copies gave: the WriteAccessReady condition and the status to record.</summary>
/// <param name="Report">WriteAccessReady.</param>
/// <param name="Status">status.writeAccess: the namespaces holding a copy, which the next reconcile and the finalizer clean up from.</param>
public sealed record WriteAccessOutcome(ConditionReport Report, WriteAccessStatus Status);

/// <summary>
/// Keeps the Secret <c>metrics-write-token</c> in every namespace labelled <c>metrics.lsst.io/write-token=&lt;stack&gt;</c>
/// equal to the current token, and removes it from namespaces that dropped the label. It only ever changes or deletes a
/// copy carrying this stack's source annotation: a Secret of that name made by someone else is reported, never touched.
/// Secrets are never listed: the namespaces it wrote to are in status, and RBAC lets it read, change and delete only
/// Secrets named <c>metrics-write-token</c> outside stack namespaces.
/// </summary>
public sealed class WriteTokenDelivery(KubeApi api, ILogger? logger = null)
{
    /// <summary>Reasons of WriteAccessReady.</summary>
    public static class Reasons
    {
        /// <summary>Every opted-in namespace holds the current token.</summary>
        public const string Delivered = "TokenDelivered";

        /// <summary>A namespace already has a Secret <c>metrics-write-token</c> the operator did not make from this stack.</summary>
        public const string Conflict = "WriteTokenConflict";

        /// <summary>The API server refused to let the operator read or write the copy in a namespace.</summary>
        public const string Forbidden = "WriteTokenForbidden";
    }

    private readonly ILogger logger = logger ?? NullLogger.Instance;

    /// <summary>Namespaces (from <paramref name="namespaces"/>, the cache's) that opted in to <paramref name="stack"/> and are not being deleted.</summary>
    public static IReadOnlyList<string> OptedIn(V1Alpha1MetricsStack stack, IEnumerable<V1Namespace> namespaces)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(namespaces);
        return
        [
            .. namespaces
                .Where(n => n.Metadata.DeletionTimestamp is null
                    && n.Metadata.Labels?.TryGetValue(WriteTokenSecrets.OptInLabel, out var value) == true && value == stack.Metadata.Name)
                .Select(n => n.Metadata.Name)
                .Order(StringComparer.Ordinal),
        ];
    }

    /// <summary>Makes the copies in <paramref name="optedIn"/> hold <paramref name="token"/> and removes those of namespaces no longer opted in.</summary>
    public async Task<WriteAccessOutcome> DeliverAsync(DefaultedStack stack, ListenerToken token, IReadOnlyList<string> optedIn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(optedIn);
        var holding = new SortedSet<string>(StringComparer.Ordinal);
        var conflicts = new List<string>();
        var forbidden = new List<string>();
        foreach (var ns in optedIn)
        {
            try
            {
                var outcome = await CopyAsync(stack, ns, token, cancellationToken).ConfigureAwait(false);
                if (outcome is null)
                {
                    holding.Add(ns);
                }
                else
                {
                    conflicts.Add(outcome);
                }
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Forbidden)
            {
                forbidden.Add(ns);
            }
        }

        // Status is what remembers the copies: the reconcile's copy of the stack shows this process's last status write
        // even while the cache lags it (ObjectClient.OwnWrites), so a copy made in the last reconcile is listed here.
        foreach (var ns in (stack.Status?.WriteAccess?.Namespaces ?? []).Except(optedIn, StringComparer.Ordinal))
        {
            try
            {
                await RemoveCopyAsync(api, stack, ns, logger, cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Forbidden)
            {
                // Still there: keep it in status so the next reconcile (or the finalizer) tries again.
                holding.Add(ns);
                forbidden.Add(ns);
            }
        }

        var status = new WriteAccessStatus
        {
            TokenSecret = StackNames.ListenerTokenSecret(stack),
            TokenCreated = token.Created,
            Namespaces = [.. holding],
        };
        return new WriteAccessOutcome(Report(stack, optedIn, conflicts, forbidden), status);
    }

    /// <summary>Deletes the copy in <paramref name="ns"/> when it is one made from <paramref name="stack"/>; anything else is left alone.</summary>
    public static async Task RemoveCopyAsync(KubeApi api, V1Alpha1MetricsStack stack, string ns, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(logger);
        var copy = await api.GetAsync<V1Secret>(ns, WriteTokenSecrets.CopyName, cancellationToken).ConfigureAwait(false);
        if (copy is not null && WriteTokenSecrets.IsCopyOf(copy, stack)
            && await api.DeleteAsync<V1Secret>(ns, WriteTokenSecrets.CopyName, copy.Metadata.Uid, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Removed Secret {Namespace}/{Secret}: the namespace no longer writes to MetricsStack {Stack}", ns, WriteTokenSecrets.CopyName, WriteTokenSecrets.SourceOf(stack));
        }
    }

    /// <summary>Creates or updates the copy in <paramref name="ns"/>; returns null when it holds the token, else why not.</summary>
    private async Task<string?> CopyAsync(DefaultedStack stack, string ns, ListenerToken token, CancellationToken cancellationToken)
    {
        var desired = WriteTokenSecrets.Copy(stack, ns, token.Token, token.Created);
        var existing = await api.GetAsync<V1Secret>(ns, WriteTokenSecrets.CopyName, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            try
            {
                await api.CreateAsync(desired, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Created Secret {Namespace}/{Secret} for MetricsStack {Stack}", ns, WriteTokenSecrets.CopyName, WriteTokenSecrets.SourceOf(stack));
                return null;
            }
            catch (KubeApiException e) when (e.IsConflict)
            {
                // Made in between (another replica, or a person): look at it on the next reconcile.
                return $"namespace {ns}: Secret {WriteTokenSecrets.CopyName} appeared while it was being created; looking again";
            }
        }

        if (!WriteTokenSecrets.IsCopyOf(existing, stack))
        {
            string? from = null;
            existing.Metadata.Annotations?.TryGetValue(WriteTokenSecrets.SourceAnnotation, out from);
            return $"namespace {ns} already has a Secret {WriteTokenSecrets.CopyName} " +
                (from is null ? "not made by the operator" : $"from MetricsStack {from}") + "; it is left alone and this namespace gets no token from this stack";
        }

        if (!SecretPatch.Holds(existing, desired))
        {
            await api.PatchAsync<V1Secret>(ns, WriteTokenSecrets.CopyName, PatchType.Merge, SecretPatch.Replacing(existing, desired), cancellationToken: cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Updated Secret {Namespace}/{Secret} to the current token of MetricsStack {Stack}", ns, WriteTokenSecrets.CopyName, WriteTokenSecrets.SourceOf(stack));
        }

        return null;
    }

    private static ConditionReport Report(V1Alpha1MetricsStack stack, IReadOnlyList<string> optedIn, List<string> conflicts, List<string> forbidden)
    {
        if (forbidden.Count > 0)
        {
            return new ConditionReport(MetricsStackConditions.WriteAccessReady, ConditionSet.False, Reasons.Forbidden,
                $"The operator may not read or write Secret {WriteTokenSecrets.CopyName} in namespace(s) {string.Join(", ", forbidden.Distinct())}: " +
                $"the ClusterRole metrics-operator must grant create on secrets and get, patch and delete on the Secret named {WriteTokenSecrets.CopyName}");
        }

        if (conflicts.Count > 0)
        {
            return new ConditionReport(MetricsStackConditions.WriteAccessReady, ConditionSet.False, Reasons.Conflict, string.Join("; ", conflicts));
        }

        var message = optedIn.Count == 0
            // Not "label=value": the redactor would take "…token=<value>" for a secret.
            ? $"No namespace writes to this stack yet: give a namespace the label {WriteTokenSecrets.OptInLabel} with the value \"{stack.Metadata.Name}\" and it gets Secret {WriteTokenSecrets.CopyName}"
            : $"Secret {WriteTokenSecrets.CopyName} holds the current token in {optedIn.Count} namespace(s): {string.Join(", ", optedIn)}";
        return new ConditionReport(MetricsStackConditions.WriteAccessReady, ConditionSet.True, Reasons.Delivered, message);
    }
}

using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts.Routing;

/// <summary>What a policy sync did.</summary>
/// <param name="Writes">PUTs sent.</param>
/// <param name="Holds">Whether the last read found the stack's part in the tree.</param>
public sealed record PolicySyncResult(int Writes, bool Holds);

/// <summary>
/// Writes the stack's part of the notification policy tree. Grafana 11.4's <c>PUT /api/v1/provisioning/policies</c>
/// replaces the whole tree and takes no version or precondition (the contract's Route body has none, and
/// api_provisioning.go's RoutePutPolicyTree passes none to the notification policy service), so the tree is read
/// immediately before each write and the stack's part merged into what was read, and read again after it: a write of
/// another environment's operator landing between this read and this write would otherwise go unnoticed. When the
/// read-back lacks the stack's part, it is merged and written again, up to <see cref="MaxWrites"/> times. A write
/// that lands after the read-back (this operator's update lost to another's stale tree) is found by the next
/// reconcile, which the step asks for soon after every write.
/// </summary>
public static class PolicySync
{
    /// <summary>Writes per sync before giving up until the next reconcile.</summary>
    public const int MaxWrites = 3;

    /// <summary>Reads, and writes only when the stored tree lacks <paramref name="owned"/>; then reads again to verify.</summary>
    public static async Task<PolicySyncResult> SyncAsync(GrafanaClient client, NotificationRoute owned, string? environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(owned);
        for (var writes = 0; ; writes++)
        {
            var stored = await client.GetPolicyTreeAsync(cancellationToken).ConfigureAwait(false);
            if (PolicyTree.Holds(stored, owned, environment))
            {
                return new PolicySyncResult(writes, Holds: true);
            }

            if (writes == MaxWrites)
            {
                return new PolicySyncResult(writes, Holds: false);
            }

            await client.PutPolicyTreeAsync(PolicyTree.ToWrite(stored, owned, environment), editable: false, cancellationToken).ConfigureAwait(false);
        }
    }
}

using System.Collections.Concurrent;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Events;

namespace MetricsOperator.Alerts;

/// <summary>
/// Writes an AppAlert's report: merged into status, patched only when it changed, and an Event only when Ready changes
/// (status or reason), so an AppAlert that keeps failing the same way writes nothing. Shared by the reconciler and the
/// finalizer (a cleanup that cannot finish shows in status, not only in Events).
/// </summary>
public sealed class AppAlertStatusWriter(Manager manager)
{
    // The Ready this writer last wrote, per AppAlert UID, until the cache shows it. A reconcile queued while another ran
    // reads the object as the cache has it, which can be from before that run's status write: compared with that copy
    // the same Ready looks new, and the Event was recorded twice (AlertStormTests, on a loaded machine).
    private readonly ConcurrentDictionary<string, (string Status, string Reason)> notYetCached = new(StringComparer.Ordinal);

    /// <summary>Merges <paramref name="report"/> into <paramref name="alert"/>'s status and writes it.</summary>
    public async Task WriteAsync(V1Alpha1AppAlert alert, AppAlertStatusReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(report);
        var uid = alert.Metadata?.Uid ?? "";
        var before = LastReady(uid, ConditionSet.Find(alert.Status?.Conditions, AppAlertConditions.Ready));
        var ready = (Status: report.Ready ? ConditionSet.True : ConditionSet.False, Reason: report.ReadyReason);
        var changed = before != ready;
        report.ApplyTo(alert);
        await manager.Client.PatchStatusAsync(alert, cancellationToken);
        if (uid.Length > 0)
        {
            notYetCached[uid] = ready;
        }

        if (changed)
        {
            await manager.Events.RecordAsync(alert, report.Ready ? EventTypes.Normal : EventTypes.Warning, report.ReadyReason, report.ReadyMessage, cancellationToken);
        }
    }

    /// <summary>The Ready the API server holds as far as this writer knows: its own last write while the cache lags it.</summary>
    private (string? Status, string? Reason) LastReady(string uid, V1Condition? cached)
    {
        if (!notYetCached.TryGetValue(uid, out var written))
        {
            return (cached?.Status, cached?.Reason);
        }

        if (cached?.Status == written.Status && cached?.Reason == written.Reason)
        {
            notYetCached.TryRemove(new KeyValuePair<string, (string, string)>(uid, written));
        }

        return written;
    }
}

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
    /// <summary>Merges <paramref name="report"/> into <paramref name="alert"/>'s status and writes it.</summary>
    public async Task WriteAsync(V1Alpha1AppAlert alert, AppAlertStatusReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(report);
        // The reconcile's copy shows this process's last status write even while the cache lags it (ObjectClient.OwnWrites).
        var before = ConditionSet.Find(alert.Status?.Conditions, AppAlertConditions.Ready);
        var status = report.Ready ? ConditionSet.True : ConditionSet.False;
        var changed = before is null || before.Status != status || before.Reason != report.ReadyReason;
        report.ApplyTo(alert);
        await manager.Client.PatchStatusAsync(alert, cancellationToken);
        if (changed)
        {
            manager.Events.Record(alert, report.Ready ? EventTypes.Normal : EventTypes.Warning, report.ReadyReason, report.ReadyMessage);
        }
    }
}

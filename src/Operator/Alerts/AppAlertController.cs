using MetricsOperator.Crds;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Alerts;

/// <summary>
/// The AppAlert controller's wiring: AppAlerts, plus MetricsStacks mapped to the AppAlerts that target them (a stack
/// becoming Ready, changing its datasources or contact points, or going away wakes its AppAlerts).
/// </summary>
public static class AppAlertController
{
    /// <summary>
    /// The cache's index of AppAlerts by app (spec.app, or the name): title clashes are only possible within one app,
    /// and finding an app's AppAlerts by listing all of them made every reconcile and event cost the number of AppAlerts.
    /// </summary>
    public const string ByApp = "app";

    /// <summary>Describes the controller on <paramref name="builder"/>; the reconciler and finalizer come from services.</summary>
    public static Controller<V1Alpha1AppAlert> Describe(ControllerBuilder builder, Func<Manager> manager, IReconciler<V1Alpha1AppAlert>? reconciler = null, AppAlertFinalizer? finalizer = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(manager);
        var described = builder.For<V1Alpha1AppAlert>()
            .Named(AppAlertReconciler.ControllerName)
            .IndexedBy(ByApp, alert => [AlertDefaults.App(alert)])
            // Its own status patches do not bring an AppAlert back (that would undo the backoff of a Requeue).
            .ReconcilesUpdatesWhen(UpdateFilters.SpecOrMetadataChanged)
            // A stack wakes its AppAlerts only for what they read: spec, deletion, GrafanaReady (not InfluxDB, Telegraf, backups).
            .Watches<V1Alpha1MetricsStack>(stack => AlertsOf(manager(), stack), updateMatters: StackResolution.GateOrSpecChanged)
            // An AppAlert keeping a rule title wakes the ones refused for it when it changes or goes.
            .Watches<V1Alpha1AppAlert>(alert => RefusedFor(manager(), alert), updateMatters: UpdateFilters.SpecOrMetadataChanged);
        described = finalizer is null ? described.WithFinalizer<AppAlertFinalizer>() : described.WithFinalizer(finalizer);
        return reconciler is null ? described.Complete<AppAlertReconciler>() : described.Complete(reconciler);
    }

    /// <summary>The key of the stack <paramref name="alert"/> targets: its stackRef, or the cluster's only stack (from the cache).</summary>
    public static IEnumerable<ObjectKey> StacksOf(Manager manager, V1Alpha1AppAlert alert)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(alert);
        if (StackResolution.Named(alert) is { } named)
        {
            return [named];
        }

        var stacks = manager.Cache.TryGetStore<V1Alpha1MetricsStack>()?.List() ?? [];
        return stacks.Count == 1 ? [ObjectKey.Of(stacks[0])] : [];
    }

    /// <summary>The keys of the AppAlerts that target <paramref name="stack"/> (from the cache).</summary>
    public static IEnumerable<ObjectKey> AlertsOf(Manager manager, V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(manager);
        var alerts = manager.Cache.TryGetStore<V1Alpha1AppAlert>()?.List() ?? [];
        var stackCount = manager.Cache.TryGetStore<V1Alpha1MetricsStack>()?.Count ?? 1;
        // Stacks without a stackRef follow "the only stack": when the count changes, every one of them may be affected.
        return alerts.Where(a => StackResolution.Named(a) is null || StackResolution.Targets(a, stack, stackCount)).Select(ObjectKey.Of).ToList();
    }

    /// <summary>The other AppAlerts of <paramref name="alert"/>'s app (from the cache) refused with DuplicateRuleTitle.</summary>
    public static IEnumerable<ObjectKey> RefusedFor(Manager manager, V1Alpha1AppAlert alert)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(alert);
        var app = AlertDefaults.App(alert);
        var self = ObjectKey.Of(alert);
        return (manager.Cache.TryGetStore<V1Alpha1AppAlert>()?.ByIndex(ByApp, app) ?? [])
            .Where(a => ObjectKey.Of(a) != self
                && MetricsOperator.Runtime.Conditions.ConditionSet.Find(a.Status?.Conditions, AppAlertConditions.Ready)?.Reason == AppAlertReasons.DuplicateRuleTitle)
            .Select(ObjectKey.Of).ToList();
    }
}

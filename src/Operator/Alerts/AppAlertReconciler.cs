using System.Net;
using System.Runtime.CompilerServices;
using MetricsOperator.Alerts.QueryChecks;
using MetricsOperator.Crds;
using MetricsOperator.Grafana;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Reconcile;
using MetricsOperator.Stacks;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Alerts;

/// <summary>
/// Keeps one AppAlert's rule group in its stack's Grafana equal to the spec: resolve the stack, validate and map
/// (pure), check the queries against the stack's InfluxDB (<see cref="StackQueryChecks"/>, cached by query text), compare
/// with the stack's Grafana snapshot, write only what differs (new rules by POST, then one group PUT), report Ready/Synced
/// and per-rule status. Unchanged AppAlerts cost no Grafana request: the snapshot is listed once
/// per stack and resync window, and drift found in it is put back.
/// </summary>
public sealed class AppAlertReconciler : IReconciler<V1Alpha1AppAlert>
{
    /// <summary>The controller's name (metrics label, logs).</summary>
    public const string ControllerName = "appalert";

    private readonly Manager manager;
    private readonly GrafanaConnections connections;
    private readonly AlertSyncOptions options;
    private readonly ILogger logger;
    private readonly AppAlertStatusWriter status;
    private readonly StackQueryChecks? queryChecks;

    // One defaulted view per cached MetricsStack object, made by the first of its AppAlerts to reconcile: the cache's
    // objects are never mutated, and a changed stack arrives as a new object, so a view lives exactly as long as the
    // version it was made from. After an API server restart every AppAlert reconciles at once; a stack with a thousand
    // of them is defaulted once, not a thousand times (docs/performance.md, twelfth pass).
    private readonly ConditionalWeakTable<V1Alpha1MetricsStack, DefaultedStack> defaultedStacks = [];

    /// <summary>Creates the reconciler; without <paramref name="queryChecks"/> queries are synced unchecked.</summary>
    public AppAlertReconciler(Manager manager, GrafanaConnections connections, AlertSyncOptions? options = null, ILogger<AppAlertReconciler>? logger = null, StackQueryChecks? queryChecks = null)
    {
        this.manager = manager ?? throw new ArgumentNullException(nameof(manager));
        this.connections = connections ?? throw new ArgumentNullException(nameof(connections));
        this.queryChecks = queryChecks;
        this.options = options ?? AlertSyncOptions.Default;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
        status = new AppAlertStatusWriter(manager);
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(V1Alpha1AppAlert entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var (stack, missing) = StackResolution.Resolve(entity, Stacks());
        if (stack is not null && RecordedLocation.ElsewhereThan(entity, stack))
        {
            // stackRef changed: the rules still fire in the Grafana they were written to. Take them out there first.
            if (await LeaveRecordedStackAsync(entity, cancellationToken) is { } blocked)
            {
                await ReportAsync(entity, AppAlertStatusReport.Waiting(AppAlertReasons.GrafanaUnavailable, blocked), cancellationToken);
                return ReconcileResult.RequeueAfter(options.StackRecheck);
            }

            entity.Status!.Grafana = null;
        }

        var gate = stack is null ? (AppAlertReasons.StackNotReady, missing) : StackResolution.Gate(stack);
        if (gate is var (reason, why))
        {
            // The stack changes that open the gate (GrafanaReady, spec, existence) are watched and wake this AppAlert: nothing to poll.
            await ReportAsync(entity, AppAlertStatusReport.Waiting(reason, why), cancellationToken);
            return ReconcileResult.Done;
        }

        var defaulted = defaultedStacks.GetValue(stack!, DefaultedStack.Of);
        var facts = StackAlertingFacts.From(defaulted);
        var plan = AppAlertMapping.Plan(entity, facts);
        if (plan.Group is null)
        {
            // Invalid and not partially syncable: Grafana keeps whatever it had.
            await ReportAsync(entity, AppAlertStatusReport.After(entity, plan, sync: null), cancellationToken);
            return ReconcileResult.Done;
        }

        if (DuplicateTitles.Find(entity, AppAlertsOf(stack!, AlertDefaults.App(entity)), facts.Environment) is { Count: > 0 } clashes)
        {
            // Nothing is written (Grafana would refuse it). The AppAlert keeping the title wakes this one when it changes or goes.
            var message = string.Join("; ", clashes.Select(c => c.ToProblem(plan.Group.FolderUid).ToString()));
            await ReportAsync(entity, AppAlertStatusReport.Waiting(AppAlertReasons.DuplicateRuleTitle, message), cancellationToken);
            return ReconcileResult.Done;
        }

        // Before anything reaches Grafana, which accepts any query text: a query InfluxDB refuses keeps the whole AppAlert out.
        var queries = queryChecks is null ? QueryCheckResult.Off : await queryChecks.CheckAsync(defaulted, entity, plan, cancellationToken);
        if (queries.Refused.Count > 0)
        {
            // Verdicts are kept per query text: only a spec change can change this one, and it wakes the AppAlert.
            await ReportAsync(entity, AppAlertStatusReport.QueriesRefused(entity, plan, queries), cancellationToken);
            return ReconcileResult.Done;
        }

        StackGrafana grafana;
        try
        {
            grafana = await connections.ConnectAsync(stack!, cancellationToken);
        }
        catch (GrafanaCredentialsException e)
        {
            // Secrets are not watched (the operator may only GET them): look again later.
            await ReportAsync(entity, AppAlertStatusReport.Waiting(AppAlertReasons.StackNotReady, e.Message), cancellationToken);
            return ReconcileResult.RequeueAfter(options.StackRecheck);
        }

        if (grafana.RetryIn() is { } wait)
        {
            await ReportAsync(entity, AppAlertStatusReport.Waiting(AppAlertReasons.GrafanaUnavailable, grafana.LastError ?? $"Grafana at {grafana.Client.BaseUri} failed recently"), cancellationToken);
            return ReconcileResult.RequeueAfter(wait);
        }

        var previous = entity.Status?.Grafana is { FolderUid.Length: > 0, RuleGroup.Length: > 0 } at ? (at.FolderUid!, at.RuleGroup!) : ((string, string)?)null;
        try
        {
            var result = await RuleGroupSync.ApplyAsync(grafana, plan.Group, previous, cancellationToken);
            grafana.RecordAnswer();
            if (result.Writes > 0)
            {
                logger.LogInformation("Synced AppAlert {Namespace}/{Name} to Grafana group {Folder}/{Group} with {Writes} writes",
                    entity.Metadata.NamespaceProperty, entity.Metadata.Name, plan.Group.FolderUid, plan.Group.Group, result.Writes);
            }

            await ReportAsync(entity, AppAlertStatusReport.After(entity, plan, result, ObjectKey.Of(stack!).ToString(), grafana.Client.BaseUri.ToString()).WithQueries(queries), cancellationToken);
            // "No data" goes stale and an unchecked query is asked later: come back then, as no event would wake this AppAlert.
            return queries.RecheckAt is { } due ? ReconcileResult.RequeueAfter(Max(due - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1))) : ReconcileResult.Done;
        }
        catch (GrafanaApiException e) when (e.IsUnavailable)
        {
            var backoff = grafana.RecordOutage(e.Message);
            logger.LogWarning("Grafana was unavailable for AppAlert {Namespace}/{Name}, retrying in {Delay}: {Error}",
                entity.Metadata.NamespaceProperty, entity.Metadata.Name, backoff, e.Message);
            await ReportAsync(entity, AppAlertStatusReport.Waiting(AppAlertReasons.GrafanaUnavailable, e.Message), cancellationToken);
            return ReconcileResult.RequeueAfter(backoff);
        }
        catch (GrafanaApiException e)
        {
            // Grafana answered: it is up. A refusal is this AppAlert's own: the shared session and snapshot stay (a rule
            // POSTed before the refusal is found by its UID's 409 next time), so no other AppAlert of the stack notices.
            grafana.RecordAnswer();
            if (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                // Perhaps the Secret changed: read it again next time.
                connections.Forget(stack!);
            }

            // A title held by a rule no AppAlert of the app declares (made in the UI, or by another stack's operator).
            var refusal = e.IsTitleConflict ? AppAlertReasons.DuplicateRuleTitle : AppAlertReasons.GrafanaRejected;
            await ReportAsync(entity, AppAlertStatusReport.Waiting(refusal, e.Message), cancellationToken);
            // Retried with this key's own exponential backoff (the work queue's), never faster than it.
            return ReconcileResult.Requeue;
        }
    }

    /// <summary>
    /// Removes the group from the Grafana of the stack status names. Null when it is gone (or that stack is, or is being
    /// deleted, and its Grafana with it); otherwise why it could not be removed yet.
    /// </summary>
    private async Task<string?> LeaveRecordedStackAsync(V1Alpha1AppAlert alert, CancellationToken cancellationToken)
    {
        var key = RecordedLocation.Stack(alert)!.Value;
        var old = Stacks().FirstOrDefault(s => ObjectKey.Of(s) == key);
        if (old is null || old.Metadata.DeletionTimestamp is not null)
        {
            logger.LogInformation("AppAlert {Namespace}/{Name} moved away from MetricsStack {Stack}, which is gone: nothing to remove there",
                alert.Metadata.NamespaceProperty, alert.Metadata.Name, key);
            return null;
        }

        try
        {
            var grafana = await connections.ConnectAsync(old, cancellationToken);
            await RuleGroupSync.RemoveAsync(grafana, [RecordedLocation.Group(alert)!.Value], cancellationToken);
            logger.LogInformation("Removed the rule group of AppAlert {Namespace}/{Name} from the Grafana of MetricsStack {Stack} (stackRef changed)",
                alert.Metadata.NamespaceProperty, alert.Metadata.Name, key);
            return null;
        }
        catch (Exception e) when (e is GrafanaCredentialsException or GrafanaApiException)
        {
            return $"the rules are still in the Grafana of MetricsStack {key} (status.grafana) and are removed there before they are written anywhere else: {e.Message}";
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private IReadOnlyCollection<V1Alpha1MetricsStack> Stacks() =>
        manager.Cache.TryGetStore<V1Alpha1MetricsStack>()?.List() ?? [];

    // The AppAlerts of one app that target the stack: the only ones whose rule titles can clash with each other.
    private List<V1Alpha1AppAlert> AppAlertsOf(V1Alpha1MetricsStack stack, string app)
    {
        var stackCount = manager.Cache.TryGetStore<V1Alpha1MetricsStack>()?.Count ?? 0;
        return [.. (manager.Cache.TryGetStore<V1Alpha1AppAlert>()?.ByIndex(AppAlertController.ByApp, app) ?? []).Where(a => StackResolution.Targets(a, stack, stackCount))];
    }

    private Task ReportAsync(V1Alpha1AppAlert alert, AppAlertStatusReport report, CancellationToken cancellationToken) =>
        status.WriteAsync(alert, report, cancellationToken);
}

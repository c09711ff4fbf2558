using MetricsOperator.Crds;
using MetricsOperator.Grafana;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Reconcile;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Alerts;

/// <summary>
/// Runs when an AppAlert is deleted: deletes its rule group from the Grafana of the stack status says holds it
/// (<c>status.grafana.stack</c>; the spec's stack only when nothing is recorded), then the app's folder if no rule group
/// and no dashboard is left in it. When that stack is gone or being deleted there is no Grafana to clean and the AppAlert
/// is let go; when Grafana is unavailable or refuses, status says so (Ready=False, DeletionBlocked) and the finalizer is
/// retried with backoff.
/// </summary>
public sealed class AppAlertFinalizer(Manager manager, GrafanaConnections connections, ILogger<AppAlertFinalizer>? logger = null) : IFinalizer<V1Alpha1AppAlert>
{
    /// <summary>The finalizer's name on every AppAlert.</summary>
    public const string FinalizerName = ApiGroup.Name + "/grafana-rules";

    private readonly ILogger logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly AppAlertStatusWriter status = new(manager);

    /// <inheritdoc/>
    public string Name => FinalizerName;

    /// <inheritdoc/>
    public async Task FinalizeAsync(V1Alpha1AppAlert entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var stacks = manager.Cache.TryGetStore<V1Alpha1MetricsStack>()?.List() ?? [];
        // Where the rules were written, not where the spec points now: stackRef may have changed since, or name nothing.
        var (stack, missing) = RecordedLocation.Stack(entity) is { } recorded
            ? (stacks.FirstOrDefault(s => ObjectKey.Of(s) == recorded), $"MetricsStack {recorded}, whose Grafana held its rules (status.grafana.stack), no longer exists")
            : StackResolution.Resolve(entity, stacks);
        if (stack is null || stack.Metadata.DeletionTimestamp is not null)
        {
            logger.LogInformation("Released AppAlert {Namespace}/{Name} without cleaning Grafana: {Reason}",
                entity.Metadata.NamespaceProperty, entity.Metadata.Name, stack is null ? missing : "its MetricsStack is being deleted");
            return;
        }

        var environment = StackAlertingFacts.EnvironmentOf(stack);
        var locations = new List<(string Folder, string Group)>
        {
            (AlertNames.FolderUid(AlertDefaults.App(entity), environment), AlertNames.RuleGroup(entity.Metadata.NamespaceProperty ?? "default", entity.Metadata.Name, environment)),
        };
        if (RecordedLocation.Group(entity) is { } at)
        {
            locations.Add(at);
        }

        try
        {
            var grafana = await connections.ConnectAsync(stack, cancellationToken);
            await RuleGroupSync.RemoveAsync(grafana, locations, cancellationToken);
        }
        catch (Exception e) when (e is GrafanaCredentialsException or GrafanaApiException)
        {
            // Rethrown, so the runtime retries with this key's backoff; status says why the AppAlert stays, for
            // whoever waits on the deletion (kubectl, Argo CD) and never reads Events.
            var report = AppAlertStatusReport.Waiting(AppAlertReasons.DeletionBlocked, $"the rule group cannot be removed from Grafana yet, so the finalizer {FinalizerName} stays: {e.Message}");
            await status.WriteAsync(entity, report, cancellationToken);
            throw;
        }

        logger.LogInformation("Deleted the Grafana rule group of AppAlert {Namespace}/{Name}", entity.Metadata.NamespaceProperty, entity.Metadata.Name);
    }
}

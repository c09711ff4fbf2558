using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Alerts.External;

/// <summary>
/// When a stack with an external Grafana is deleted, its environment's datasources (which hold its read token) go from
/// that Grafana. Grafana unreachable: thrown, so the finalizer stays and retries. Its credentials Secret gone: nothing
/// can be done, and the stack is released with a warning naming the datasources left.
/// </summary>
public sealed class ExternalDatasourcesCleanup(GrafanaConnections connections, ILogger<ExternalDatasourcesCleanup>? logger = null) : IStackCleanup
{
    private readonly ILogger log = logger ?? (ILogger)NullLogger.Instance;

    /// <inheritdoc/>
    public async Task CleanUpAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        if (stack.Spec?.Grafana?.Mode != GrafanaMode.External || StackAlertingFacts.EnvironmentOf(stack) is not { } environment)
        {
            return;
        }

        StackGrafana grafana;
        try
        {
            grafana = await connections.ConnectAsync(stack, cancellationToken);
        }
        catch (GrafanaCredentialsException e)
        {
            log.LogWarning("Left datasources {Datasources} in the external Grafana of MetricsStack {Namespace}/{Name}: {Reason}",
                string.Join(", ", ExternalDatasources.All(environment)), stack.Metadata.NamespaceProperty, stack.Metadata.Name, e.Message);
            return;
        }

        await ExternalDatasourcesStep.RemoveAllAsync(grafana.Client, stack, cancellationToken);
        connections.Forget(stack);
        log.LogInformation("Deleted the datasources of MetricsStack {Namespace}/{Name} from its external Grafana", stack.Metadata.NamespaceProperty, stack.Metadata.Name);
    }
}

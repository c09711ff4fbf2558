using System.Collections.Concurrent;
using System.Net;
using System.Text;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Grafana;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks.Steps;

namespace MetricsOperator.Alerts.External;

/// <summary>
/// With an external Grafana, the step owning <c>GrafanaReady</c>: the environment's InfluxDB datasources in that Grafana
/// (<see cref="ExternalDatasources"/>), created, put back when they drift, deleted when their flavour is turned off. It
/// runs after the InfluxDB step, whose read token (<c>&lt;stack&gt;-grafana-token</c>) they carry; GrafanaReady turns True
/// only when they are in place, so AppAlerts (gated on it) never write rules naming a datasource that is not there.
/// The token cannot be read back (Grafana returns secure settings as set/unset only), so a hash of the last one written
/// is kept in memory: after an operator restart each datasource is written once.
/// <para>
/// Drift is looked for at most once per <see cref="AlertSyncOptions.SnapshotMaxAge"/> per datasource, the bound the
/// AppAlerts' rules have too: a datasource read (or written) and found as desired within that time, and still desired
/// the same, is not read again. Without it every resync read each datasource of every stack (two GETs per stack per
/// resync, twenty per idle resync of the benchmark's ten stacks); with it an idle resync reads none, and an edit made in
/// Grafana is put back by the first reconcile after the window ends (four minutes by default) instead of the first one
/// after the edit. A change of the spec or of the read token changes what is desired, so it is written at once.
/// </para>
/// </summary>
public sealed class ExternalDatasourcesStep(Manager manager, GrafanaConnections connections, AlertSyncOptions? options = null, TimeProvider? time = null) : IStackStep
{
    private readonly ConcurrentDictionary<string, string> writtenTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, VerifiedDatasource> verified = new(StringComparer.Ordinal);
    private readonly TimeSpan driftCheckPeriod = (options ?? AlertSyncOptions.Default).SnapshotMaxAge;
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <inheritdoc/>
    public string ConditionType => MetricsStackConditions.GrafanaReady;

    /// <inheritdoc/>
    public bool AppliesTo(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return !stack.Grafana.IsManaged;
    }

    /// <inheritdoc/>
    public async Task<StepOutcome> RunAsync(DefaultedStack stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var ns = StackNames.Namespace(stack);
        var tokenSecret = StackNames.GrafanaTokenSecret(stack);
        V1Secret? secret;
        try
        {
            secret = await manager.Client.Api.GetAsync<V1Secret>(ns, tokenSecret, cancellationToken);
        }
        catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Forbidden)
        {
            return new StepOutcome(false, StackStatusReporter.Reasons.NamespaceNotBound, $"the operator may not read Secret {ns}/{tokenSecret}: bind the ClusterRole metrics-operator-stack-namespace in namespace {ns}", TimeSpan.FromSeconds(30));
        }

        if (secret?.Data?.TryGetValue(StackNames.TokenKey, out var token) != true || token!.Length == 0)
        {
            return new StepOutcome(false, "WaitingForReadToken", $"Secret {ns}/{tokenSecret} has no key {StackNames.TokenKey} yet", TimeSpan.FromSeconds(15));
        }

        var desired = ExternalDatasources.Desired(stack, Encoding.UTF8.GetString(token));
        try
        {
            var grafana = await connections.ConnectAsync(stack, cancellationToken);
            var grafanaUrl = stack.Grafana.Url ?? "";
            foreach (var datasource in desired)
            {
                await SyncAsync(grafana.Client, grafanaUrl, datasource, cancellationToken);
            }

            foreach (var uid in ExternalDatasources.Unwanted(stack))
            {
                await grafana.Client.DeleteDatasourceAsync(uid, cancellationToken);
                writtenTokens.TryRemove(uid, out _);
                verified.TryRemove(VerifiedKey(grafanaUrl, uid), out _);
            }

            return new StepOutcome(true, StackStatusReporter.Reasons.External,
                $"Grafana is external at {stack.Grafana.Url}; its datasources {string.Join(", ", desired.Select(d => d.Uid))} read InfluxDB at {ExternalDatasources.InfluxDbUrl(stack)}");
        }
        catch (GrafanaCredentialsException e)
        {
            return new StepOutcome(false, "GrafanaCredentialsMissing", e.Message, TimeSpan.FromSeconds(30));
        }
        catch (GrafanaApiException e)
        {
            return new StepOutcome(false, e.IsUnavailable ? "GrafanaUnavailable" : "GrafanaRejected", e.Message, TimeSpan.FromSeconds(e.IsUnavailable ? 10 : 60));
        }
    }

    /// <summary>Deletes the environment's datasources from the external Grafana (the stack is going); true when Grafana answered.</summary>
    public static async Task RemoveAllAsync(GrafanaClient client, V1Alpha1MetricsStack stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (StackAlertingFacts.EnvironmentOf(stack) is { } environment)
        {
            foreach (var uid in ExternalDatasources.All(environment))
            {
                await client.DeleteDatasourceAsync(uid, cancellationToken);
            }
        }
    }

    private static string VerifiedKey(string grafanaUrl, string uid) => grafanaUrl + "|" + uid;

    // What is desired of a datasource, the token only as its hash: a change of either is written without waiting.
    private static string Fingerprint(DataSourceCommand datasource, string tokenHash) =>
        AlertNames.Hash(string.Join("\0", datasource.Name, datasource.Type, datasource.Access, datasource.Url, datasource.JsonData.ToJsonString(), tokenHash), 16);

    private async Task SyncAsync(GrafanaClient client, string grafanaUrl, DataSourceCommand datasource, CancellationToken cancellationToken)
    {
        var tokenHash = AlertNames.Hash(string.Join("\0", datasource.SecureJsonData?.Values ?? Enumerable.Empty<string>()), 16);
        var key = VerifiedKey(grafanaUrl, datasource.Uid);
        var fingerprint = Fingerprint(datasource, tokenHash);
        var now = clock.GetUtcNow();
        if (verified.TryGetValue(key, out var last) && last.Fingerprint == fingerprint && now - last.At < driftCheckPeriod)
        {
            return;
        }

        await ReadAndConvergeAsync(client, datasource, tokenHash, cancellationToken);
        verified[key] = new VerifiedDatasource(fingerprint, now);
    }

    private async Task ReadAndConvergeAsync(GrafanaClient client, DataSourceCommand datasource, string tokenHash, CancellationToken cancellationToken)
    {
        var stored = await client.GetDatasourceAsync(datasource.Uid, cancellationToken);
        if (stored is null)
        {
            await client.CreateDatasourceAsync(datasource, cancellationToken);
        }
        else if (!ExternalDatasources.Same(datasource, stored) || writtenTokens.GetValueOrDefault(datasource.Uid) != tokenHash)
        {
            await client.UpdateDatasourceAsync(datasource, cancellationToken);
        }
        else
        {
            return;
        }

        writtenTokens[datasource.Uid] = tokenHash;
    }

    private sealed record VerifiedDatasource(string Fingerprint, DateTimeOffset At);
}

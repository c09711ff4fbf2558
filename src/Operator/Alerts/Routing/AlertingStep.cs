using System.Collections.Concurrent;
using System.Net;
using System.Text;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Grafana;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Steps;

namespace MetricsOperator.Alerts.Routing;

/// <summary>
/// The MetricsStack step owning <c>AlertingReady</c>: the stack's notification templates and mute timings, its contact
/// points (Slack, email, webhook; the destination read from the Secret the spec names) and its part of the
/// notification policy tree (the whole tree, or with <c>spec.environment</c> that environment's subtree:
/// <see cref="PolicySync"/>) routing each AppAlert to its contact point and the spec's routes on any label. Kept in sync like rules: two GETs, and writes only for what differs. Secret values cannot
/// be compared (Grafana returns them redacted), so a hash of the last value written is kept in memory: after an
/// operator restart each contact point with a secret setting is written once.
/// </summary>
public sealed class AlertingStep(Manager manager, GrafanaConnections connections) : IStackStep
{
    private readonly ConcurrentDictionary<string, string> writtenSecrets = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string ConditionType => MetricsStackConditions.AlertingReady;

    /// <inheritdoc/>
    public async Task<StepOutcome> RunAsync(DefaultedStack stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var grafanaSpec = stack.Grafana.Spec;
        var declared = grafanaSpec.ContactPoints ?? [];
        if (declared.Count == 0)
        {
            return new StepOutcome(true, "NoContactPoints", "No contact points declared: Grafana's own routing is left alone");
        }

        if (!Runtime.Conditions.ConditionSet.IsTrue(stack.Status?.Conditions, MetricsStackConditions.GrafanaReady))
        {
            // Talking to a Grafana that is not up yet would only hold this reconcile for the client's timeouts.
            return new StepOutcome(false, "WaitingForGrafana", "Waits for GrafanaReady", TimeSpan.FromSeconds(15));
        }

        var defaultReceiver = grafanaSpec.DefaultContactPoint is { Length: > 0 } d ? d : declared[0].Name;
        var ns = StackNames.Namespace(stack);
        var desired = new List<EmbeddedContactPoint>();
        foreach (var contactPoint in declared)
        {
            V1Secret? secret;
            try
            {
                secret = await manager.Client.Api.GetAsync<V1Secret>(ns, contactPoint.SecretRef.Name, cancellationToken);
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Forbidden)
            {
                return new StepOutcome(false, StackStatusReporter.Reasons.NamespaceNotBound, $"the operator may not read Secret {ns}/{contactPoint.SecretRef.Name}: bind the ClusterRole metrics-operator-stack-namespace in namespace {ns}", TimeSpan.FromSeconds(30));
            }

            if (secret?.Data?.TryGetValue(contactPoint.SecretRef.Key, out var value) != true || value!.Length == 0)
            {
                return new StepOutcome(false, "SecretMissing", $"contact point {contactPoint.Name}: Secret {ns}/{contactPoint.SecretRef.Name} has no key {contactPoint.SecretRef.Key}", TimeSpan.FromSeconds(30));
            }

            desired.Add(AlertRouting.ContactPoint(stack, contactPoint, Encoding.UTF8.GetString(value)));
        }

        NotificationObjectsSync? notificationObjects = null;
        Action<MetricsStackStatus> RecordOwned() => status => status.Alerting = notificationObjects?.Owned ?? status.Alerting;
        try
        {
            var grafana = await connections.ConnectAsync(stack, cancellationToken);
            var environment = NotificationNames.Environment(stack);
            var templates = NotificationContent.Templates(stack);
            var muteTimings = NotificationContent.MuteTimings(stack);
            notificationObjects = new NotificationObjectsSync(grafana.Client, stack.Status?.Alerting);
            var writes = await notificationObjects.WriteAsync(templates, muteTimings, cancellationToken);
            writes += await SyncContactPointsAsync(grafana.Client, stack, desired, cancellationToken);
            var alerts = (manager.Cache.TryGetStore<V1Alpha1AppAlert>()?.List() ?? [])
                .Where(a => StackResolution.Targets(a, stack, manager.Cache.TryGetStore<V1Alpha1MetricsStack>()?.Count ?? 1));
            var policy = await PolicySync.SyncAsync(grafana.Client, AlertRouting.StackPolicy(stack, defaultReceiver, alerts), environment, cancellationToken);
            if (!policy.Holds)
            {
                return new StepOutcome(false, "PolicyConflict",
                    $"another writer replaced Grafana's notification policy tree after each of {policy.Writes} writes of {PolicyPart(environment)}; tried again shortly",
                    PolicyRecheck, RecordOwned());
            }

            writes += policy.Writes;
            writes += await DeleteStaleContactPointsAsync(grafana.Client, stack, desired, cancellationToken);
            writes += await notificationObjects.DeleteStaleAsync(templates, muteTimings, cancellationToken);
            // A tree shared with other environments can lose this write to one of theirs made from an older read, after
            // the read-back above: looking again soon repairs it without waiting for the resync.
            var recheck = environment is not null && policy.Writes > 0 ? PolicyRecheck : (TimeSpan?)null;
            return new StepOutcome(true, "Synced",
                $"{desired.Count} contact points, {templates.Count} templates, {muteTimings.Count} mute timings and {PolicyPart(environment)} (default {NotificationNames.InGrafana(stack, defaultReceiver)}) are in Grafana",
                recheck, RecordOwned());
        }
        catch (GrafanaCredentialsException e)
        {
            return new StepOutcome(false, "GrafanaCredentialsMissing", e.Message, TimeSpan.FromSeconds(30), RecordOwned());
        }
        catch (GrafanaApiException e)
        {
            return new StepOutcome(false, e.IsUnavailable ? "GrafanaUnavailable" : "GrafanaRejected", e.Message, TimeSpan.FromSeconds(e.IsUnavailable ? 10 : 60), RecordOwned());
        }
    }

    /// <summary>How soon the policy is looked at again after a write to a tree shared with other environments, or after a lost write.</summary>
    public static TimeSpan PolicyRecheck { get; } = TimeSpan.FromSeconds(30);

    private static string PolicyPart(string? environment) =>
        environment is null ? "the notification policy" : $"the notification policy subtree environment={environment}";

    private async Task<int> SyncContactPointsAsync(GrafanaClient client, V1Alpha1MetricsStack stack, IReadOnlyList<EmbeddedContactPoint> desired, CancellationToken cancellationToken)
    {
        var stored = (await client.ListContactPointsAsync(cancellationToken)).Where(c => c.Uid is not null).ToDictionary(c => c.Uid!, StringComparer.Ordinal);
        var writes = 0;
        foreach (var contactPoint in desired)
        {
            var secretHash = AlertNames.Hash(contactPoint.Settings.ToJsonString(), 16);
            if (!stored.TryGetValue(contactPoint.Uid!, out var existing))
            {
                await client.CreateContactPointAsync(contactPoint, editable: false, cancellationToken);
            }
            else if (!Same(contactPoint, existing) || writtenSecrets.GetValueOrDefault(contactPoint.Uid!) != secretHash)
            {
                await client.UpdateContactPointAsync(contactPoint, editable: false, cancellationToken);
            }
            else
            {
                continue;
            }

            writtenSecrets[contactPoint.Uid!] = secretHash;
            writes++;
        }

        return writes;
    }

    // Contact points of this stack (by UID prefix) that the spec no longer declares; after the policy stopped naming them.
    private static async Task<int> DeleteStaleContactPointsAsync(GrafanaClient client, V1Alpha1MetricsStack stack, IReadOnlyList<EmbeddedContactPoint> desired, CancellationToken cancellationToken)
    {
        var prefix = AlertRouting.ContactPointPrefix(stack);
        var wanted = desired.Select(c => c.Uid).ToHashSet(StringComparer.Ordinal);
        var deleted = 0;
        foreach (var stale in (await client.ListContactPointsAsync(cancellationToken)).Where(c => c.Uid?.StartsWith(prefix, StringComparison.Ordinal) == true && !wanted.Contains(c.Uid)))
        {
            await client.DeleteContactPointAsync(stale.Uid!, cancellationToken);
            deleted++;
        }

        return deleted;
    }

    private static bool Same(EmbeddedContactPoint desired, EmbeddedContactPoint stored)
    {
        if (desired.Name != stored.Name || desired.Type != stored.Type.Trim() || desired.DisableResolveMessage != stored.DisableResolveMessage || stored.Provenance is not ("api" or null))
        {
            return false;
        }

        var secret = AlertRouting.SecretSettings(desired.Type);
        return desired.Settings.Where(kv => !secret.Contains(kv.Key))
            .All(kv => System.Text.Json.Nodes.JsonNode.DeepEquals(kv.Value, stored.Settings[kv.Key]));
    }
}

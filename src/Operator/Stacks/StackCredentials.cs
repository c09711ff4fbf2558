using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Influx;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Json;
using MetricsOperator.Stacks.Builders;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Stacks;

/// <summary>
/// Makes the credential Secrets a stack's workloads and steps read, before anything refers to them: the managed
/// Grafana's admin login (its Deployment takes it by <c>secretKeyRef</c>, so a pod could not start without it) and
/// InfluxDB's admin token and password. Each is generated once and never regenerated while it exists; only its
/// ownerReference follows <c>spec.influxdb.deletionPolicy</c> (see <see cref="CredentialSecrets"/>). GET, POST and
/// merge PATCH only: the operator may not list, watch or delete Secrets.
/// </summary>
public sealed class StackCredentials(KubeApi api, ILogger<StackCredentials>? logger = null)
{
    /// <summary>Reason of Ready=False when a credential Secret the operator made has lost a key.</summary>
    public const string CredentialsInvalid = "CredentialsInvalid";

    private readonly ILogger logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>
    /// Ensures the stack's generated credential Secrets exist and are owned as its deletion policy says. Returns null
    /// when they are fine, otherwise why not (a Secret with a key removed by hand), for Ready=False.
    /// </summary>
    public async Task<string?> EnsureAsync(DefaultedStack stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        string? problem = null;
        if (stack.Grafana.IsManaged)
        {
            var secret = await EnsureAsync(stack, StackNames.GrafanaAdminSecret(stack), () => CredentialSecrets.GrafanaAdmin(stack, CredentialSecrets.NewPassword()), cancellationToken).ConfigureAwait(false);
            problem = MissingKey(secret, StackNames.GrafanaUserKey, StackNames.GrafanaPasswordKey);
        }

        if (stack.InfluxDb.ExistingAdminSecret is null)
        {
            var secret = await EnsureAsync(stack, StackNames.InfluxDbAdminSecret(stack), () => InfluxAdmin(stack, AdminCredentials.Generate()), cancellationToken).ConfigureAwait(false);
            problem ??= MissingKey(secret, StackNames.AdminTokenKey, StackNames.AdminPasswordKey);
        }

        return problem;
    }

    /// <summary>InfluxDB's admin Secret holding <paramref name="credentials"/>.</summary>
    public static V1Secret InfluxAdmin(V1Alpha1MetricsStack stack, AdminCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return CredentialSecrets.New(stack, StackNames.InfluxDbAdminSecret(stack), StackLabels.InfluxDb, credentials.ToData());
    }

    private async Task<V1Secret> EnsureAsync(V1Alpha1MetricsStack stack, string name, Func<V1Secret> generate, CancellationToken cancellationToken)
    {
        var ns = StackNames.Namespace(stack);
        var existing = await api.GetAsync<V1Secret>(ns, name, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            try
            {
                var created = await api.CreateAsync(generate(), cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"the API server returned no Secret {name}");
                logger.LogInformation("Created credentials Secret {Secret} of MetricsStack {Namespace}/{Name}", name, ns, stack.Metadata.Name);
                return created;
            }
            catch (KubeApiException e) when (e.IsConflict)
            {
                // Another replica (or a retried request) made it first: its contents win, never a second password.
                existing = await api.GetAsync<V1Secret>(ns, name, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Secret {name} exists and cannot be read", e);
            }
        }

        if (CredentialSecrets.IsStacks(existing, stack) && !CredentialSecrets.OwnershipMatches(existing, stack))
        {
            // The deletion policy changed (or the Secret predates this rule): only the ownerReference follows it, and the
            // instance label goes (an unowned object carrying Argo CD's tracking label would be pruned); values are never touched.
            var owners = CredentialSecrets.OwnerReferences(stack);
            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["ownerReferences"] = new JsonArray([.. (owners ?? []).Select(owner => JsonNode.Parse(KubeJson.Serialize(owner)))]),
                    ["labels"] = new JsonObject { [StackLabels.Instance] = null },
                },
            };
            existing = await api.PatchAsync<V1Secret>(ns, name, PatchType.Merge, patch.ToJsonString(), cancellationToken: cancellationToken).ConfigureAwait(false) ?? existing;
            logger.LogInformation("Set ownerReferences of Secret {Secret} of MetricsStack {Namespace}/{Name} to follow deletionPolicy {Policy}", name, ns, stack.Metadata.Name, stack.Spec.InfluxDb!.DeletionPolicy);
        }

        return existing;
    }

    private static string? MissingKey(V1Secret secret, params string[] keys) =>
        keys.FirstOrDefault(k => AdminCredentials.Value(secret, k) is null) is { } missing
            ? $"Secret {secret.Metadata.Name} has no key {missing}. The operator never regenerates a credential Secret that exists " +
              "(the volumes it opens may hold the old value); put the value back, or delete the Secret to have a new one made (see docs/troubleshooting.md)"
            : null;
}

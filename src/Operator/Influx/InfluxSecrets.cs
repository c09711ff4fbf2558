using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Influx;

/// <summary>
/// The Secrets the InfluxDB wiring reads and writes, by GET, POST and merge PATCH only: the operator may not list,
/// watch or delete Secrets (see MetricsStackControllerPermissions). Secrets it makes carry the stack's labels and a
/// controller ownerReference, so Kubernetes deletes them with the stack.
/// </summary>
public sealed class InfluxSecrets(KubeApi api)
{
    /// <summary>Annotation on a token Secret naming the InfluxDB authorization whose token it holds (an ID, not a secret).</summary>
    public const string AuthorizationAnnotation = ApiGroup.Name + "/influxdb-authorization-id";

    /// <summary>The Secret, or null when it does not exist.</summary>
    public Task<V1Secret?> GetAsync(V1Alpha1MetricsStack stack, string name, CancellationToken cancellationToken) =>
        api.GetAsync<V1Secret>(StackNames.Namespace(stack), name, cancellationToken);

    /// <summary>Writes the new token of <paramref name="authorization"/> (and its ID as an annotation) to the token Secret, creating it when missing.</summary>
    public async Task WriteTokenAsync(V1Alpha1MetricsStack stack, string name, CreatedAuthorization authorization, bool exists, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [StackNames.TokenKey] = Encoding.UTF8.GetBytes(authorization.Token.Reveal()) };
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [AuthorizationAnnotation] = authorization.Id };
        if (!exists)
        {
            try
            {
                await api.CreateAsync(New(stack, name, data, annotations), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (KubeApiException e) when (e.IsConflict)
            {
                // Created meanwhile (a Secret we could not see a moment ago): overwrite it below.
            }
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [AuthorizationAnnotation] = authorization.Id } },
            ["data"] = new JsonObject { [StackNames.TokenKey] = Convert.ToBase64String(data[StackNames.TokenKey]) },
        };
        await api.PatchAsync<V1Secret>(StackNames.Namespace(stack), name, PatchType.Merge, patch.ToJsonString(), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The authorization ID a token Secret says it holds, or null when the Secret or its token is missing.</summary>
    public static string? StoredAuthorization(V1Secret? secret) =>
        secret is not null && AdminCredentials.Value(secret, StackNames.TokenKey) is not null
        && secret.Metadata?.Annotations is { } annotations && annotations.TryGetValue(AuthorizationAnnotation, out var id) && id.Length > 0
            ? id
            : null;

    private static V1Secret New(V1Alpha1MetricsStack stack, string name, IDictionary<string, byte[]> data, IDictionary<string, string>? annotations) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = "Opaque",
        Metadata = WithAnnotations(ObjectMetaBuilder.Owned(stack, name, StackLabels.InfluxDb), annotations),
        Data = data,
    };

    private static V1ObjectMeta WithAnnotations(V1ObjectMeta meta, IDictionary<string, string>? annotations)
    {
        meta.Annotations = annotations;
        return meta;
    }
}

using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The Secrets holding credentials the operator generates for a stack (the managed Grafana's admin login, InfluxDB's
/// admin token and password). Pure: the random values are passed in, so nothing random ever reaches a rendered manifest.
/// </summary>
/// <remarks>
/// These Secrets open data that outlives the stack under <c>deletionPolicy: Retain</c>: Grafana keeps the admin
/// password of its first start in its database on the retained claim, and InfluxDB keeps the admin token it was set
/// up with on its retained volume. So they follow the data's policy, not the stack's: an ownerReference (and garbage
/// collection with the stack) only with <c>Delete</c>, none with <c>Retain</c>, so that a re-created stack finds them
/// and re-attaches to the kept volumes instead of ending in <c>AdminTokenRejected</c> or a Grafana it cannot log in to.
/// </remarks>
public static class CredentialSecrets
{
    /// <summary>The user the managed Grafana's admin Secret names (Grafana's own default admin login).</summary>
    public const string GrafanaAdminUser = "admin";

    // 24 random bytes (192 bits), URL-safe base64: fits env vars and HTTP basic auth without escaping.
    private const int PasswordBytes = 24;

    /// <summary>A fresh password from a cryptographic RNG, URL-safe base64 without padding.</summary>
    public static string NewPassword() => RandomText(PasswordBytes);

    /// <summary>URL-safe base64 (no padding) of <paramref name="bytes"/> random bytes from a cryptographic RNG.</summary>
    public static string RandomText(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether the stack's credential Secrets are deleted with it: only with <c>spec.influxdb.deletionPolicy: Delete</c>.</summary>
    public static bool DeletedWithStack(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.Spec?.InfluxDb?.DeletionPolicy == DeletionPolicy.Delete;
    }

    /// <summary>The ownerReferences a credential Secret of <paramref name="stack"/> carries: the stack's with <c>Delete</c>, none with <c>Retain</c>.</summary>
    public static IList<V1OwnerReference>? OwnerReferences(V1Alpha1MetricsStack stack) =>
        DeletedWithStack(stack) ? [ObjectMetaBuilder.OwnerReference(stack)] : null;

    /// <summary>The managed Grafana's admin Secret, holding <paramref name="password"/> for <see cref="GrafanaAdminUser"/>.</summary>
    public static V1Secret GrafanaAdmin(V1Alpha1MetricsStack stack, string password) =>
        New(stack, StackNames.GrafanaAdminSecret(stack), StackLabels.Grafana, new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [StackNames.GrafanaUserKey] = Encoding.UTF8.GetBytes(GrafanaAdminUser),
            [StackNames.GrafanaPasswordKey] = Encoding.UTF8.GetBytes(password),
        });

    /// <summary>A credential Secret named <paramref name="name"/> of <paramref name="component"/> with <paramref name="data"/>.</summary>
    public static V1Secret New(V1Alpha1MetricsStack stack, string name, string component, IDictionary<string, byte[]> data) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = "Opaque",
        // Labelled like a data volume (no app.kubernetes.io/instance: an unowned object carrying Argo CD's default tracking
        // label would be pruned), and owned as one.
        Metadata = ObjectMetaBuilder.DataVolume(stack, name, component, DeletedWithStack(stack)),
        Data = data,
    };

    /// <summary>Whether <paramref name="secret"/> is one the operator made for <paramref name="stack"/> (its labels say so).</summary>
    public static bool IsStacks(V1Secret secret, V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(stack);
        return secret.Metadata?.Labels is { } labels
            && labels.TryGetValue(StackLabels.ManagedBy, out var manager) && manager == StackLabels.ManagedByValue
            && labels.TryGetValue(StackLabels.Stack, out var owner) && owner == stack.Metadata.Name;
    }

    /// <summary>Whether the ownerReferences of <paramref name="secret"/> already say what <see cref="OwnerReferences"/> wants.</summary>
    public static bool OwnershipMatches(V1Secret secret, V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var owned = secret.Metadata?.OwnerReferences?.Any(r => r.Kind == "MetricsStack" && r.Name == stack.Metadata.Name && r.Uid == stack.Metadata.Uid) == true;
        return owned == DeletedWithStack(stack);
    }
}

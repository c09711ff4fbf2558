using System.Globalization;
using System.Text;
using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The listener token's Secrets: the source in the stack's namespace (Telegraf reads it) and the copy,
/// <c>metrics-write-token</c>, in each namespace that opted in (apps read it). Pure: the token and its time are passed in.
/// </summary>
/// <remarks>
/// The copy's keys are the environment variables both clients read, so <c>envFrom: secretRef</c> sets all of them; mounted
/// as a volume, <c>METRICS_TOKEN_FILE</c> pointing at its <c>METRICS_TOKEN</c> file follows a rotation without a restart.
/// </remarks>
public static class WriteTokenSecrets
{
    /// <summary>The namespace label that opts a namespace in; its value is the MetricsStack's name.</summary>
    public const string OptInLabel = ApiGroup.Name + "/write-token";

    /// <summary>The name of the copy in every opted-in namespace (fixed, so app charts can name it).</summary>
    public const string CopyName = "metrics-write-token";

    /// <summary>The annotation on a MetricsStack requesting a new token: any new value rotates once.</summary>
    public const string RotateAnnotation = ApiGroup.Name + "/rotate-write-token";

    /// <summary>The annotation on the source Secret recording which rotation request it answered.</summary>
    public const string AnsweredRequestAnnotation = ApiGroup.Name + "/rotation-request";

    /// <summary>The annotation on the source Secret and its copies: when the token was made (RFC 3339, UTC).</summary>
    public const string CreatedAnnotation = ApiGroup.Name + "/token-created";

    /// <summary>The annotation on a copy naming the stack it came from (<c>namespace/name</c>): the operator touches no other.</summary>
    public const string SourceAnnotation = ApiGroup.Name + "/source-stack";

    /// <summary>Copy key: where to write (Telegraf's listener Service).</summary>
    public const string UrlKey = "METRICS_URL";

    /// <summary>Copy key: the InfluxDB organization.</summary>
    public const string OrgKey = "METRICS_ORG";

    /// <summary>Copy key: the shared bucket.</summary>
    public const string BucketKey = "METRICS_BUCKET";

    /// <summary>Copy key: the listener token.</summary>
    public const string TokenKey = "METRICS_TOKEN";

    // 32 random bytes (256 bits), URL-safe base64: fits an HTTP header and an env var without escaping.
    private const int TokenBytes = 32;

    /// <summary>A fresh token from a cryptographic RNG.</summary>
    public static string NewToken() => CredentialSecrets.RandomText(TokenBytes);

    /// <summary>The source Secret holding <paramref name="token"/>, owned by the stack (it opens no kept data).</summary>
    public static V1Secret Source(V1Alpha1MetricsStack stack, string token, DateTime created, string? answeredRequest)
    {
        var metadata = ObjectMetaBuilder.Owned(stack, StackNames.ListenerTokenSecret(stack), StackLabels.Telegraf);
        metadata.Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [CreatedAnnotation] = Timestamp(created) };
        if (answeredRequest is not null)
        {
            metadata.Annotations[AnsweredRequestAnnotation] = answeredRequest;
        }

        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "Opaque",
            Metadata = metadata,
            Data = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [StackNames.TokenKey] = Encoding.UTF8.GetBytes(token) },
        };
    }

    /// <summary>
    /// The copy for <paramref name="targetNamespace"/>. Labelled as the operator's but with no instance label and no
    /// ownerReference (owners cannot cross namespaces): Argo CD of the app's namespace neither adopts nor prunes it.
    /// </summary>
    public static V1Secret Copy(DefaultedStack stack, string targetNamespace, string token, DateTime created)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "Opaque",
            Metadata = new V1ObjectMeta
            {
                Name = CopyName,
                NamespaceProperty = targetNamespace,
                Labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    [StackLabels.ManagedBy] = StackLabels.ManagedByValue,
                    [StackLabels.Stack] = stack.Metadata.Name,
                },
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    [SourceAnnotation] = SourceOf(stack),
                    [CreatedAnnotation] = Timestamp(created),
                },
            },
            Data = CopyData(stack, token),
        };
    }

    /// <summary>What a copy holds: endpoint, org, bucket and token, under the names the clients read.</summary>
    public static IDictionary<string, byte[]> CopyData(DefaultedStack stack, string token)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [UrlKey] = Encoding.UTF8.GetBytes(StackNames.WriteUrl(stack, stack.Telegraf.ListenerPort)),
            [OrgKey] = Encoding.UTF8.GetBytes(stack.InfluxDb.Organization),
            [BucketKey] = Encoding.UTF8.GetBytes(stack.InfluxDb.Bucket),
            [TokenKey] = Encoding.UTF8.GetBytes(token),
        };
    }

    /// <summary>The value of <see cref="SourceAnnotation"/> for <paramref name="stack"/>.</summary>
    public static string SourceOf(V1Alpha1MetricsStack stack) => $"{StackNames.Namespace(stack)}/{stack.Metadata.Name}";

    /// <summary>Whether <paramref name="secret"/> is a copy made from <paramref name="stack"/> (the only ones the operator changes or deletes).</summary>
    public static bool IsCopyOf(V1Secret secret, V1Alpha1MetricsStack stack) =>
        secret?.Metadata?.Annotations is { } annotations
        && annotations.TryGetValue(SourceAnnotation, out var source) && source == SourceOf(stack)
        && secret.Metadata.Labels is { } labels
        && labels.TryGetValue(StackLabels.ManagedBy, out var manager) && manager == StackLabels.ManagedByValue;

    /// <summary>The token in a source Secret, or null when it has none.</summary>
    public static string? TokenOf(V1Secret? source) =>
        source?.Data is { } data && data.TryGetValue(StackNames.TokenKey, out var bytes) && bytes.Length > 0 ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>When the token in <paramref name="secret"/> was made, or null when it does not say.</summary>
    public static DateTime? CreatedOf(V1Secret? secret) =>
        secret?.Metadata?.Annotations is { } annotations && annotations.TryGetValue(CreatedAnnotation, out var text)
        && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created)
            ? created
            : null;

    /// <summary>The rotation request <paramref name="source"/> answered, or null.</summary>
    public static string? AnsweredRequestOf(V1Secret? source) =>
        source?.Metadata?.Annotations is { } annotations && annotations.TryGetValue(AnsweredRequestAnnotation, out var request) ? request : null;

    /// <summary>The rotation the stack's annotation requests, or null.</summary>
    public static string? RequestOf(V1Alpha1MetricsStack stack) =>
        stack?.Metadata?.Annotations is { } annotations && annotations.TryGetValue(RotateAnnotation, out var request) && request.Length > 0 ? request : null;

    /// <summary>The revision that rolls Telegraf's pods when the token changes: its creation time, never the token.</summary>
    public static string Revision(DateTime created) => Timestamp(created);

    private static string Timestamp(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}

using System.Text.RegularExpressions;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks;

/// <summary>One thing wrong with a spec: the field (as <c>kubectl explain</c> spells it) and what is wrong with it.</summary>
/// <param name="Field">The field's path, e.g. <c>spec.grafana.url</c>.</param>
/// <param name="Message">What is wrong, for humans; never a secret value.</param>
public sealed record FieldError(string Field, string Message)
{
    /// <summary><c>field: message</c>, the form the Ready condition and the Event carry.</summary>
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>A Secret a spec names, where it names it, and the key it must hold (when the field names one).</summary>
/// <param name="Field">The field naming the Secret.</param>
/// <param name="Name">The Secret's name, in the stack's namespace.</param>
/// <param name="Key">The key the field reads, or null when the field names only the Secret.</param>
/// <param name="KeyField">The field naming the key when it is not <paramref name="Field"/> (e.g. <c>spec.telegraf.kafka.sasl.passwordKey</c>).</param>
public sealed record SecretUse(string Field, string Name, string? Key = null, string? KeyField = null);

/// <summary>
/// The semantic checks the CRD schema cannot express (OpenAPI on Kubernetes 1.20 has no CEL and no cross-field
/// rules). Pure functions: spec (and what the caller looked up) in, field errors out. An empty list means valid.
/// The reconciler turns any error into <c>Ready=False</c>, reason <c>InvalidSpec</c>, and touches nothing.
/// </summary>
public static partial class StackValidation
{
    /// <summary>InfluxDB refuses a bucket retention shorter than one hour (other than 0, which keeps data forever).</summary>
    public static readonly TimeSpan MinimumRetention = TimeSpan.FromHours(1);

    /// <summary>The rules that need nothing but the spec.</summary>
    public static IReadOnlyList<FieldError> Validate(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return
        [
            .. Retention(stack.InfluxDb), .. Agent(stack.Telegraf.Agent), .. KafkaValidation.Errors(stack.Telegraf.Kafka), .. Grafana(stack.Grafana.Spec), .. Environment(stack),
            .. InfluxDbIngress(stack.InfluxDb),
            .. DashboardCacheValidation.Errors(stack.Grafana),
            .. PodAnnotations("spec.influxdb.pod", stack.InfluxDb.Pod), .. PodAnnotations("spec.telegraf.pod", stack.Telegraf.Pod),
            .. PodAnnotations("spec.grafana.pod", stack.Grafana.Pod),
        ];
    }

    /// <summary>
    /// Every Secret the spec names that this reconciler relies on: InfluxDB's existing admin Secret, Kafka's SASL and
    /// TLS Secrets, the external Grafana's credentials and the contact points' Secrets. Backup credentials belong to
    /// the backup reconciler and are checked there.
    /// </summary>
    public static IReadOnlyList<SecretUse> SecretUses(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var uses = new List<SecretUse>();
        if (stack.InfluxDb.ExistingAdminSecret is { } admin)
        {
            uses.Add(new SecretUse("spec.influxdb.existingAdminSecret", admin.Name));
        }

        if (KafkaSettings.From(stack) is { } kafka)
        {
            uses.AddRange(kafka.SecretRefs().Select(r => new SecretUse(r.SecretField, r.SecretName, r.Key, r.KeyField)));
        }

        var grafana = stack.Grafana.Spec;
        if (grafana.Mode == GrafanaMode.External && grafana.CredentialsSecret is { } credentials)
        {
            uses.Add(new SecretUse("spec.grafana.credentialsSecret", credentials.Name));
        }

        for (var i = 0; i < (grafana.ContactPoints?.Count ?? 0); i++)
        {
            var secretRef = grafana.ContactPoints![i].SecretRef;
            uses.Add(new SecretUse($"spec.grafana.contactPoints[{i}].secretRef", secretRef.Name, secretRef.Key));
        }

        return uses;
    }

    /// <summary>
    /// The errors for Secrets that do not exist, or lack the key a field reads. <paramref name="found"/> maps each
    /// Secret name the caller looked up to the Secret, or to null when the API server answered 404.
    /// </summary>
    public static IReadOnlyList<FieldError> MissingSecrets(string @namespace, IEnumerable<SecretUse> uses, IReadOnlyDictionary<string, V1Secret?> found)
    {
        ArgumentNullException.ThrowIfNull(uses);
        ArgumentNullException.ThrowIfNull(found);
        var errors = new List<FieldError>();
        foreach (var use in uses)
        {
            if (!found.TryGetValue(use.Name, out var secret) || secret is null)
            {
                errors.Add(new FieldError(use.Field, $"Secret \"{use.Name}\" not found in namespace {@namespace}"));
            }
            else if (use.Key is { } key && secret.Data?.ContainsKey(key) != true)
            {
                errors.Add(new FieldError(use.KeyField ?? use.Field, $"Secret \"{use.Name}\" has no key \"{key}\""));
            }
        }

        // Several keys of one Secret (a Kafka user's password and certificate) would each report it missing.
        return [.. errors.Distinct()];
    }

    /// <summary>
    /// One MetricsStack per namespace: the oldest live one (by creation time, then name) holds it, and any other is
    /// refused. Names never collide (every child is prefixed with its stack's name), but a namespace's stack is what
    /// the design calls "the environment's": AppAlerts without stackRef resolve to it, the namespace's Secret grant
    /// (the stack-namespace RoleBinding) is given for it, and two InfluxDBs would split the one shared bucket.
    /// </summary>
    public static FieldError? NamespaceClaim(V1Alpha1MetricsStack stack, IEnumerable<V1Alpha1MetricsStack> inNamespace)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(inNamespace);
        var holder = inNamespace
            .Where(s => s.Metadata.DeletionTimestamp is null || s.Metadata.Uid == stack.Metadata.Uid)
            .OrderBy(s => s.Metadata.CreationTimestamp ?? DateTime.MaxValue)
            .ThenBy(s => s.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return holder is null || holder.Metadata.Name == stack.Metadata.Name
            ? null
            : new FieldError("metadata.name", $"namespace {stack.Metadata.NamespaceProperty} already holds MetricsStack \"{holder.Metadata.Name}\" (one MetricsStack per namespace)");
    }

    /// <summary>A duration as the retention field's pattern allows it (<c>52w</c>, <c>1h30m</c>, <c>0s</c>), or null.</summary>
    public static TimeSpan? ParseDuration(string? text) =>
        SpecDuration.TryParse(text, out var seconds) ? TimeSpan.FromSeconds(seconds) : null;

    private static IEnumerable<FieldError> Retention(DefaultedInfluxDb influxDb)
    {
        var retention = ParseDuration(influxDb.Retention);
        if (retention is { } value && value > TimeSpan.Zero && value < MinimumRetention)
        {
            yield return new FieldError("spec.influxdb.retention", $"{influxDb.Retention} is shorter than 1h, InfluxDB's minimum (0s keeps data forever)");
        }
    }

    private static IEnumerable<FieldError> Agent(DefaultedTelegrafAgent agent)
    {
        // Telegraf writes in batches out of its buffer: a buffer smaller than a batch never fills one.
        if (agent.MetricBufferLimit < agent.MetricBatchSize)
        {
            yield return new FieldError("spec.telegraf.agent.metricBufferLimit", $"{agent.MetricBufferLimit} is smaller than metricBatchSize ({agent.MetricBatchSize})");
        }
    }

    // The operator's own pod-template annotations (config-hash, token revisions) roll the pods when what they hash
    // changes: a spec setting one would pin or fake a roll, so the whole prefix is refused rather than overridden.
    private static IEnumerable<FieldError> PodAnnotations(string field, PodSettings? pod) =>
        (pod?.Annotations?.Keys ?? [])
            .Where(PodPlacement.IsReserved)
            .Order(StringComparer.Ordinal)
            .Select(key => new FieldError($"{field}.annotations", $"\"{key}\" is under {PodPlacement.ReservedAnnotationPrefix}, which the operator reserves for its own pod annotations"));

    // An external Grafana may be shared by several environments' operators: without the environment in every name
    // they would write the same folders, rules and datasources, and one's deletion would remove the other's.
    private static IEnumerable<FieldError> Environment(DefaultedStack stack)
    {
        if (stack.Grafana.Mode == GrafanaMode.External && string.IsNullOrEmpty(stack.Environment))
        {
            yield return new FieldError("spec.environment", "required when spec.grafana.mode is external (a Grafana several environments may share tells their rules, folders and datasources apart by it)");
        }
    }

    // The datasources point at externalUrl when it is set, else at the Ingress: a URL naming another host than the
    // Ingress serves would send the central Grafana somewhere the Ingress does not lead, almost always a typo.
    private static IEnumerable<FieldError> InfluxDbIngress(DefaultedInfluxDb influxDb)
    {
        if (influxDb.Ingress is not { } ingress || string.IsNullOrEmpty(influxDb.ExternalUrl))
        {
            yield break;
        }

        if (!Uri.TryCreate(influxDb.ExternalUrl, UriKind.Absolute, out var url) || !string.Equals(url.Host, ingress.Host, StringComparison.OrdinalIgnoreCase))
        {
            yield return new FieldError("spec.influxdb.externalUrl",
                $"its host must be spec.influxdb.ingress.host \"{ingress.Host}\" (leave externalUrl out to use the Ingress's URL, or leave the ingress out when a proxy of your own serves InfluxDB at another host)");
        }
    }

    private static IEnumerable<FieldError> Grafana(GrafanaSpec grafana)
    {
        if (grafana.Mode == GrafanaMode.External)
        {
            if (string.IsNullOrEmpty(grafana.Url))
            {
                yield return new FieldError("spec.grafana.url", "required when mode is external");
            }

            if (grafana.CredentialsSecret is null)
            {
                yield return new FieldError("spec.grafana.credentialsSecret", "required when mode is external");
            }
        }
        else if (grafana.AuthProxy is not null && grafana.Ingress is null)
        {
            // Grafana trusts the header from whoever reaches it: only the Ingress's NetworkPolicy keeps other pods from forging it.
            yield return new FieldError("spec.grafana.authProxy", "requires spec.grafana.ingress (Grafana trusts the user header from any client; with an Ingress its NetworkPolicy admits only the ingress controller, the operator and backups)");
        }

        if (grafana.Mode != GrafanaMode.External && !string.IsNullOrEmpty(grafana.Url))
        {
            // Refused rather than ignored: a URL here means someone expects the operator to use that Grafana.
            yield return new FieldError("spec.grafana.url", "must be left out when mode is managed (the operator runs Grafana; its URL is status.endpoints.grafana)");
        }

        if (grafana.DefaultContactPoint is { } defaultContactPoint
            && grafana.ContactPoints?.Any(c => c.Name == defaultContactPoint) != true)
        {
            yield return new FieldError("spec.grafana.defaultContactPoint", $"\"{defaultContactPoint}\" is not the name of one of spec.grafana.contactPoints");
        }

        foreach (var error in Alerts.Routing.RoutingValidation.Errors(grafana))
        {
            yield return error;
        }
    }

}

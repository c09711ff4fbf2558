using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Backup.Jobs;

/// <summary>Where a backup Job sends its requests and which Secrets it reads; from the stack's endpoints.</summary>
/// <param name="Image">The operator's image.</param>
/// <param name="Source">Grafana's or InfluxDB's URL, as the operator reaches it (the Service in the cluster).</param>
/// <param name="Deadline">The Job's activeDeadlineSeconds.</param>
public sealed record BackupJobSettings(string Image, Uri Source, TimeSpan Deadline)
{
    /// <summary>The image pull policy.</summary>
    public string ImagePullPolicy { get; init; } = "IfNotPresent";

    /// <summary>Names of Secrets in the stack's namespace to pull the image with.</summary>
    public IReadOnlyList<string> ImagePullSecrets { get; init; } = [];
}

/// <summary>
/// The Job that runs one backup to a PersistentVolumeClaim: the operator's image running
/// <c>backup grafana|influxdb --dir /backup</c> with the claim mounted there. Credentials reach it as environment
/// variables from the same Secrets the operator reads (secretKeyRef: the Job's spec names Secrets, never holds a
/// value). The outcome comes back as JSON in the container's termination message. Pure: spec in, Job out.
/// </summary>
public static class BackupJobBuilder
{
    /// <summary>The component label of backup Jobs and their pods (InfluxDB's NetworkPolicy lets these pods in).</summary>
    public const string Component = "backup";

    /// <summary>Label with the backup's kind (<c>grafana</c>, <c>influxdb</c>) on the Job and its pod.</summary>
    public const string KindLabel = ApiGroup.Name + "/backup-kind";

    /// <summary>Where the claim is mounted.</summary>
    public const string MountPath = "/backup";

    /// <summary>The container's termination message file, where the command writes its result.</summary>
    public const string TerminationMessagePath = "/dev/termination-log";

    /// <summary>The container's name.</summary>
    public const string ContainerName = "backup";

    /// <summary>Finished Jobs the operator failed to delete are removed by the TTL controller (Kubernetes 1.21+) after this.</summary>
    public static readonly TimeSpan TimeToLiveAfterFinished = TimeSpan.FromDays(1);

    // The job controller copies the Job's name into a label of its pods (job-name), and a label value has at most 63 characters.
    private const int MaxNameLength = 63;

    /// <summary>
    /// The Job for the <paramref name="kind"/> backup of <paramref name="stack"/> (schema defaults applied) started at
    /// <paramref name="at"/>; <paramref name="nonce"/> (a few lowercase letters or digits) tells apart runs started in one second.
    /// </summary>
    public static V1Job Build(V1Alpha1MetricsStack stack, string kind, BackupJobSettings settings, DateTimeOffset at, string nonce)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(settings);
        var target = BackupRun.TargetOf(stack, kind);
        var claim = target.Destination.Pvc?.ClaimName ?? throw new ArgumentException($"spec.backup.{kind}.destination has no pvc", nameof(stack));
        var labels = Labels(stack, kind);
        var metadata = ObjectMetaBuilder.Owned(stack, Name(stack, kind, at, nonce), Component);
        metadata.Labels = labels;
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = V1Job.KubeKind,
            Metadata = metadata,
            Spec = new V1JobSpec
            {
                // The scheduler retries a failed run with its own backoff and reports each failure; a pod retried
                // by the job controller would hide them.
                BackoffLimit = 0,
                ActiveDeadlineSeconds = (long)settings.Deadline.TotalSeconds,
                TtlSecondsAfterFinished = (int)TimeToLiveAfterFinished.TotalSeconds,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        // The command talks to Grafana or InfluxDB only, never to the Kubernetes API.
                        AutomountServiceAccountToken = false,
                        EnableServiceLinks = false,
                        SecurityContext = PodSecurityFor(),
                        ImagePullSecrets = settings.ImagePullSecrets.Count > 0 ? [.. settings.ImagePullSecrets.Select(n => new V1LocalObjectReference { Name = n })] : null,
                        Containers = [Container(stack, kind, target, settings)],
                        Volumes =
                        [
                            new V1Volume { Name = "destination", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } },
                            PodSecurity.TmpVolume(),
                        ],
                    },
                },
            },
        };
    }

    // Every run mounts the same claim: the kubelet changes its files' group only when the root's is wrong, not on every
    // start (the default walks every snapshot file each time).
    private static V1PodSecurityContext PodSecurityFor()
    {
        var security = PodSecurity.Pod(PodSecurity.OperatorUser);
        security.FsGroupChangePolicy = "OnRootMismatch";
        return security;
    }

    /// <summary>The labels of the Jobs (and pods) of one stack's backups of one kind: how the operator finds them again.</summary>
    public static IDictionary<string, string> Labels(V1Alpha1MetricsStack stack, string kind)
    {
        var labels = StackLabels.For(stack, Component);
        labels[KindLabel] = kind;
        return labels;
    }

    /// <summary>The label selector of <see cref="Labels"/>'s identifying part: the stack, the component, the kind.</summary>
    public static string Selector(V1Alpha1MetricsStack stack, string kind)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return $"{StackLabels.Stack}={stack.Metadata.Name},{StackLabels.Component}={Component},{KindLabel}={kind}";
    }

    /// <summary>
    /// <c>{stack}-{kind}-backup-{yyyyMMddHHmmss}-{nonce}</c>, the stack's part shortened with a hash when the whole
    /// would pass 63 characters. The time makes <c>kubectl get jobs</c> read as a history; the nonce keeps a new run
    /// from colliding with a Job of the same second that is still being deleted.
    /// </summary>
    public static string Name(V1Alpha1MetricsStack stack, string kind, DateTimeOffset at, string nonce)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var suffix = $"-{kind}-backup-{at.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}-{nonce}";
        var prefix = stack.Metadata.Name;
        if (prefix.Length + suffix.Length > MaxNameLength)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prefix)))[..8];
            prefix = $"{prefix[..(MaxNameLength - suffix.Length - hash.Length - 1)].TrimEnd('-', '.')}-{hash}";
        }

        return prefix + suffix;
    }

    private static V1Container Container(V1Alpha1MetricsStack stack, string kind, BackupTargetSpec target, BackupJobSettings settings)
    {
        var options = BackupRun.OptionsOf(stack, target);
        var args = new List<string>
        {
            "backup", kind,
            "--dir", MountPath,
            kind == BackupKinds.Grafana ? "--grafana-url" : "--influxdb-url", settings.Source.ToString(),
            "--keep", options.Keep.ToString(CultureInfo.InvariantCulture),
        };
        if (options.MaxAgeDays is { } days)
        {
            args.AddRange(["--max-age-days", days.ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["--stack", options.Stack!, "--result-file", TerminationMessagePath]);
        var contactPoints = kind == BackupKinds.Grafana ? options.SecretRefs : null;
        foreach (var (contactPoint, secret) in (contactPoints ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            args.AddRange(["--contact-point-secret", $"{contactPoint}={secret}"]);
        }

        if (kind == BackupKinds.Grafana && options.Environment is { } environment)
        {
            args.AddRange(["--environment", environment]);
        }

        return new V1Container
        {
            Name = ContainerName,
            Image = settings.Image,
            ImagePullPolicy = settings.ImagePullPolicy,
            Args = args,
            Env = kind == BackupKinds.Grafana ? GrafanaEnv(stack) : InfluxDbEnv(stack),
            VolumeMounts = [new V1VolumeMount { Name = "destination", MountPath = MountPath }, PodSecurity.TmpMount()],
            TerminationMessagePath = TerminationMessagePath,
            // A crash before the result is written still leaves the end of its output in the pod's status.
            TerminationMessagePolicy = "FallbackToLogsOnError",
            SecurityContext = PodSecurity.Container(PodSecurity.OperatorUser),
            Resources = new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m"), ["memory"] = new("128Mi") },
                // A shard streams through one 80 KiB copy buffer to the file; a Grafana export is a few MiB.
                // A CPU limit too, so a namespace whose ResourceQuota requires limits admits the pod.
                Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1"), ["memory"] = new("512Mi") },
            },
        };
    }

    // The Secret the alerting sync reads: a service-account token or a user and password, whichever it holds.
    private static List<V1EnvVar> GrafanaEnv(V1Alpha1MetricsStack stack)
    {
        var secret = GrafanaConnections.CredentialsSecret(stack);
        return
        [
            FromSecret("GRAFANA_TOKEN", secret, MetricsOperator.Grafana.GrafanaCredentials.TokenKey, optional: true),
            FromSecret("GRAFANA_USER", secret, MetricsOperator.Grafana.GrafanaCredentials.UserKey, optional: true),
            FromSecret("GRAFANA_PASSWORD", secret, MetricsOperator.Grafana.GrafanaCredentials.PasswordKey, optional: true),
        ];
    }

    private static List<V1EnvVar> InfluxDbEnv(V1Alpha1MetricsStack stack) =>
        [FromSecret("INFLUX_TOKEN", StackNames.InfluxDbAdminSecret(stack), StackNames.AdminTokenKey, optional: false)];

    private static V1EnvVar FromSecret(string name, string secret, string key, bool optional) => new()
    {
        Name = name,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = key, Optional = optional } },
    };
}

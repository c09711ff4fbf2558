using k8s.Models;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The "restricted" Pod Security Standard for every pod of the stack, with the user each image was built for.
/// The UIDs are explicit because runAsNonRoot alone fails on images whose USER is a name, and because the
/// volumes must be writable by that user (fsGroup).
/// </summary>
public static class PodSecurity
{
    /// <summary>
    /// The <c>influxdb</c> user of the official influxdb:2.x images (<c>adduser -u 1000</c> in the Dockerfile).
    /// Its entrypoint, run as non-root, only creates the bolt and engine directories, which live on the data volume.
    /// </summary>
    public const long InfluxDbUser = 1000;

    /// <summary>
    /// The <c>telegraf</c> user of the official telegraf:1.x Debian images: a system user made by the package's
    /// postinst (<c>useradd --system</c>), the first one on bookworm, so 999. Run as non-root, the entrypoint
    /// execs telegraf directly instead of calling setcap (which needs root).
    /// </summary>
    public const long TelegrafUser = 999;

    /// <summary>The <c>grafana</c> user of the official grafana images (UID 472 since Grafana 5.1).</summary>
    public const long GrafanaUser = 472;

    /// <summary>The <c>nobody</c> user of the trickster images (distroless static, <c>USER nobody</c> in Trickster's Dockerfile).</summary>
    public const long TricksterUser = 65534;

    /// <summary>The operator's own image's user (<c>USER 65532:65532</c> in the Dockerfile), which backup Jobs run as.</summary>
    public const long OperatorUser = 65532;

    /// <summary>Pod-level settings: non-root as <paramref name="user"/>, volumes group-owned by it, RuntimeDefault seccomp.</summary>
    public static V1PodSecurityContext Pod(long user) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = user,
        RunAsGroup = user,
        FsGroup = user,
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    /// <summary>
    /// Container-level settings: no privilege escalation, no capabilities, a read-only root filesystem (every
    /// image here writes only to its volumes and <c>/tmp</c>, which get their own volumes).
    /// </summary>
    public static V1SecurityContext Container(long user) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = user,
        RunAsGroup = user,
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        Privileged = false,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    /// <summary>The writable <c>/tmp</c> a read-only root filesystem needs: a memory-capped emptyDir.</summary>
    public static V1Volume TmpVolume() => new()
    {
        Name = "tmp",
        EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("64Mi") },
    };

    /// <summary>Mounts <see cref="TmpVolume"/> at <c>/tmp</c>.</summary>
    public static V1VolumeMount TmpMount() => new() { Name = "tmp", MountPath = "/tmp" };
}

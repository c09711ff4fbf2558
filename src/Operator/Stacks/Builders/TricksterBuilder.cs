using k8s;
using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The dashboard cache (spec.grafana.cache): Trickster's ConfigMap, its claim for a filesystem or bbolt cache, Service
/// and Deployment. Nothing when the cache is off, so turning it off prunes them all but the claim (claims are never pruned).
/// </summary>
public static class TricksterBuilder
{
    private const string Trickster = "trickster";

    /// <summary>Whether the stack runs the dashboard cache: enabled, and a managed Grafana whose datasources the operator provisions.</summary>
    public static bool IsEnabled(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.Grafana.IsManaged && stack.Grafana.Cache.Enabled;
    }

    /// <summary>The cache's objects in apply order; empty when it is off.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(DefaultedStack stack)
    {
        if (!IsEnabled(stack))
        {
            return [];
        }

        var objects = new List<IKubernetesObject<V1ObjectMeta>> { ConfigMap(stack) };
        if (stack.Grafana.Cache.UsesClaim)
        {
            objects.Add(CacheClaim(stack));
        }

        objects.Add(Service(stack));
        objects.Add(Deployment(stack));
        return objects;
    }

    /// <summary>The ConfigMap with <c>trickster.yaml</c>, which holds no token.</summary>
    public static V1ConfigMap ConfigMap(DefaultedStack stack) => new()
    {
        ApiVersion = "v1",
        Kind = V1ConfigMap.KubeKind,
        Metadata = ObjectMetaBuilder.Owned(stack, StackNames.TricksterConfig(stack), StackLabels.Trickster),
        Data = new SortedDictionary<string, string>(StringComparer.Ordinal) { [TricksterConfigRenderer.FileName] = TricksterConfigRenderer.Render(stack) },
    };

    /// <summary>
    /// The claim of a filesystem or bbolt cache. It follows spec.influxdb.deletionPolicy like Grafana's claim, and
    /// stays when the cache is turned off (docs/cache.md says how to delete it).
    /// </summary>
    public static V1PersistentVolumeClaim CacheClaim(DefaultedStack stack)
    {
        var cache = stack.Grafana.Cache;
        return new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = V1PersistentVolumeClaim.KubeKind,
            Metadata = ObjectMetaBuilder.DataVolume(stack, StackNames.Trickster(stack), StackLabels.Trickster, stack.InfluxDb.DeletionPolicy == DeletionPolicy.Delete),
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = cache.StorageClassName,
                Resources = new V1VolumeResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = cache.Size },
                },
            },
        };
    }

    /// <summary>Trickster's Service: the proxy port only (the metrics port is reached with port-forward, docs/cache.md).</summary>
    public static V1Service Service(V1Alpha1MetricsStack stack) =>
        ServiceBuilder.ClusterIp(stack, StackNames.Trickster(stack), StackLabels.Trickster, "http", StackNames.TricksterPort, "http");

    /// <summary>
    /// Trickster's Deployment: a restricted pod reading its configuration from the ConfigMap, rolled when it changes.
    /// With a claim, one replica replaced with Recreate (a ReadWriteOnce claim mounts on one node).
    /// </summary>
    public static V1Deployment Deployment(DefaultedStack stack)
    {
        var cache = stack.Grafana.Cache;
        var onClaim = cache.UsesClaim;
        var volumes = new List<V1Volume>
        {
            new() { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = StackNames.TricksterConfig(stack) } },
            PodSecurity.TmpVolume(),
        };
        if (onClaim)
        {
            volumes.Add(new V1Volume { Name = "cache", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = StackNames.Trickster(stack) } });
        }

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = V1Deployment.KubeKind,
            Metadata = ObjectMetaBuilder.Owned(stack, StackNames.Trickster(stack), StackLabels.Trickster),
            Spec = new V1DeploymentSpec
            {
                Replicas = onClaim ? 1 : cache.Replicas,
                Strategy = onClaim ? new V1DeploymentStrategy { Type = "Recreate" } : null,
                Selector = new V1LabelSelector { MatchLabels = StackLabels.Selector(stack, StackLabels.Trickster) },
                Template = new V1PodTemplateSpec
                {
                    // Trickster reads its file at start (auto-reload is off by default): the hash rolls the pods when it changes.
                    Metadata = ObjectMetaBuilder.PodTemplate(stack, StackLabels.Trickster, ConfigHash.AnnotationFor(TricksterConfigRenderer.Render(stack))),
                    Spec = new V1PodSpec
                    {
                        SecurityContext = PodSecurity.Pod(PodSecurity.TricksterUser),
                        AutomountServiceAccountToken = false,
                        Containers = [Container(cache, onClaim)],
                        Volumes = volumes,
                    },
                },
            },
        };
    }

    private static V1Container Container(DefaultedDashboardCache cache, bool onClaim)
    {
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = "config", MountPath = TricksterConfigRenderer.ConfigDirectory, ReadOnlyProperty = true },
            PodSecurity.TmpMount(),
        };
        if (onClaim)
        {
            mounts.Add(new V1VolumeMount { Name = "cache", MountPath = TricksterConfigRenderer.CacheDirectory });
        }

        // /trickster/ping is served on the proxy listener and answers as soon as Trickster runs, without asking InfluxDB
        // (health.md): an InfluxDB outage must not take the cache out of its Service, Grafana would see refused connections
        // instead of InfluxDB's own error. The upstream check, /trickster/health, is on the management listener, which
        // listens on 127.0.0.1 only (pkg/config/mgmt/defaults.go) and so cannot be a kubelet probe.
        V1Probe Ping() => new() { HttpGet = new V1HTTPGetAction { Path = "/trickster/ping", Port = "http" }, PeriodSeconds = 10, TimeoutSeconds = 3 };
        var liveness = Ping();
        liveness.InitialDelaySeconds = 10;
        liveness.FailureThreshold = 6;
        return new V1Container
        {
            Name = Trickster,
            Image = cache.Image,
            Args = ["-config", TricksterConfigRenderer.ConfigDirectory + "/" + TricksterConfigRenderer.FileName],
            Ports =
            [
                new V1ContainerPort { Name = "http", ContainerPort = StackNames.TricksterPort, Protocol = "TCP" },
                new V1ContainerPort { Name = "metrics", ContainerPort = StackNames.TricksterMetricsPort, Protocol = "TCP" },
            ],
            ReadinessProbe = Ping(),
            LivenessProbe = liveness,
            Resources = DefaultResources.Trickster(cache.Resources),
            SecurityContext = PodSecurity.Container(PodSecurity.TricksterUser),
            VolumeMounts = mounts,
        };
    }
}

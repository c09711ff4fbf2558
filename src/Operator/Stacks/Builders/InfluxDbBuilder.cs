using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// InfluxDB v2: a one-replica StatefulSet whose data claim outlives the stack, and its Service. Setup (org,
/// bucket, tokens) is not done here: the operator calls <c>POST /api/v2/setup</c> once the pod is ready.
/// </summary>
public static class InfluxDbBuilder
{
    /// <summary>Where the data volume is mounted.</summary>
    public const string DataDirectory = "/var/lib/influxdb2";

    /// <summary>
    /// The annotation on the data claim (copied from the claim template by the StatefulSet controller) that says
    /// whether the operator deletes it with the stack: <c>Retain</c> or <c>Delete</c>, from spec.influxdb.deletionPolicy.
    /// </summary>
    public const string DeletionPolicyAnnotation = ApiGroup.Name + "/deletion-policy";

    /// <summary>The Service Telegraf, Grafana and the operator reach InfluxDB through.</summary>
    public static V1Service Service(V1Alpha1MetricsStack stack) =>
        ServiceBuilder.ClusterIp(stack, StackNames.InfluxDb(stack), StackLabels.InfluxDb, "http", StackNames.InfluxDbPort, "http");

    /// <summary>
    /// The StatefulSet. Its data claim (<see cref="StackNames.InfluxDbDataClaim"/>) is made by the StatefulSet
    /// controller from the claim template and is owned by nothing, so deleting the stack (and with it the
    /// StatefulSet) keeps the data. persistentVolumeClaimRetentionPolicy would state that, but it does not exist
    /// on Kubernetes 1.20 (alpha in 1.23); with deletionPolicy Delete, the reconciler's finalizer deletes the claim.
    /// </summary>
    public static V1StatefulSet StatefulSet(DefaultedStack stack)
    {
        var influxDb = stack.InfluxDb;
        return new V1StatefulSet
        {
            ApiVersion = "apps/v1",
            Kind = V1StatefulSet.KubeKind,
            Metadata = ObjectMetaBuilder.Owned(stack, StackNames.InfluxDb(stack), StackLabels.InfluxDb),
            Spec = new V1StatefulSetSpec
            {
                // One server: InfluxDB OSS does not cluster.
                Replicas = 1,
                ServiceName = StackNames.InfluxDb(stack),
                Selector = new V1LabelSelector { MatchLabels = StackLabels.Selector(stack, StackLabels.InfluxDb) },
                Template = PodPlacement.Applied(PodTemplate(stack, influxDb), influxDb.Pod),
                VolumeClaimTemplates = [DataClaimTemplate(stack, influxDb)],
            },
        };
    }

    private static V1PodTemplateSpec PodTemplate(V1Alpha1MetricsStack stack, DefaultedInfluxDb influxDb) => new()
    {
        Metadata = ObjectMetaBuilder.PodTemplate(stack, StackLabels.InfluxDb),
        Spec = new V1PodSpec
        {
            SecurityContext = PodSecurity.Pod(PodSecurity.InfluxDbUser),
            AutomountServiceAccountToken = false,
            Containers =
            [
                new V1Container
                {
                    Name = "influxdb",
                    Image = influxDb.Image,
                    Ports = [new V1ContainerPort { Name = "http", ContainerPort = StackNames.InfluxDbPort, Protocol = "TCP" }],
                    Env =
                    [
                        Env.Value("INFLUXD_BOLT_PATH", DataDirectory + "/influxd.bolt"),
                        Env.Value("INFLUXD_ENGINE_PATH", DataDirectory + "/engine"),
                        Env.Value("INFLUXD_HTTP_BIND_ADDRESS", $":{StackNames.InfluxDbPort}"),
                        // No phoning home from an observatory's cluster.
                        Env.Value("INFLUXD_REPORTING_DISABLED", "true"),
                    ],
                    // Opening a large TSM index can take minutes: the startup probe waits up to 10 minutes
                    // before liveness may restart the pod.
                    StartupProbe = Health(periodSeconds: 10, failureThreshold: 60),
                    ReadinessProbe = Health(periodSeconds: 10, failureThreshold: 3),
                    LivenessProbe = Health(periodSeconds: 30, failureThreshold: 5),
                    Resources = DefaultResources.InfluxDb(influxDb.Resources),
                    SecurityContext = PodSecurity.Container(PodSecurity.InfluxDbUser),
                    VolumeMounts =
                    [
                        new V1VolumeMount { Name = StackNames.InfluxDbDataVolume, MountPath = DataDirectory },
                        // The image's entrypoint makes and chmods /etc/influxdb2 (a VOLUME in its Dockerfile).
                        new V1VolumeMount { Name = "etc", MountPath = "/etc/influxdb2" },
                        PodSecurity.TmpMount(),
                    ],
                },
            ],
            Volumes =
            [
                new V1Volume { Name = "etc", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("16Mi") } },
                PodSecurity.TmpVolume(),
            ],
        },
    };

    private static V1Probe Health(int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = "/health", Port = "http" },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 5,
    };

    private static V1PersistentVolumeClaim DataClaimTemplate(V1Alpha1MetricsStack stack, DefaultedInfluxDb influxDb) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = StackNames.InfluxDbDataVolume,
            Labels = StackLabels.ForData(stack, StackLabels.InfluxDb),
            Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                [DeletionPolicyAnnotation] = influxDb.DeletionPolicy.ToString(),
            },
        },
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            StorageClassName = influxDb.Storage.StorageClassName,
            Resources = new V1VolumeResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = influxDb.Storage.Size },
            },
        },
    };
}

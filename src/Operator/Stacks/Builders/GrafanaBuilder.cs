using k8s;
using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The managed Grafana: Deployment, Service, data claim and datasource provisioning. In external mode there is
/// no Grafana workload: the operator only talks to the given URL, so this builds nothing.
/// </summary>
public static class GrafanaBuilder
{
    /// <summary>
    /// Size of Grafana's data volume (SQLite database with dashboards, alert rules and plugins). The spec has no
    /// field for it: a few hundred dashboards take megabytes.
    /// </summary>
    public const string DataSize = "5Gi";

    private const string DataDirectory = "/var/lib/grafana";
    private const string DatasourcesDirectory = "/etc/grafana/provisioning/datasources";

    /// <summary>The managed Grafana's objects in apply order; empty in external mode. <paramref name="tokenRevision"/>: see <see cref="Deployment"/>.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(DefaultedStack stack, string? tokenRevision = null) =>
        !stack.Grafana.IsManaged ? []
        : GrafanaIngressBuilder.Build(stack) is { } ingress ? [DataClaim(stack), ProvisioningConfigMap(stack), Service(stack), Deployment(stack, tokenRevision), ingress]
        : [DataClaim(stack), ProvisioningConfigMap(stack), Service(stack), Deployment(stack, tokenRevision)];

    /// <summary>
    /// Grafana's data claim. Like InfluxDB's, it follows spec.influxdb.deletionPolicy: with Retain (the default) it
    /// has no ownerReference and outlives the stack, keeping dashboards made in the UI.
    /// </summary>
    public static V1PersistentVolumeClaim DataClaim(DefaultedStack stack)
    {
        var deleteWithStack = stack.InfluxDb.DeletionPolicy == DeletionPolicy.Delete;
        return new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = V1PersistentVolumeClaim.KubeKind,
            Metadata = ObjectMetaBuilder.DataVolume(stack, StackNames.Grafana(stack), StackLabels.Grafana, deleteWithStack),
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(DataSize) },
                },
            },
        };
    }

    /// <summary>The ConfigMap with the datasource provisioning file (token by env reference only).</summary>
    public static V1ConfigMap ProvisioningConfigMap(DefaultedStack stack) => new()
    {
        ApiVersion = "v1",
        Kind = V1ConfigMap.KubeKind,
        Metadata = ObjectMetaBuilder.Owned(stack, StackNames.GrafanaProvisioning(stack), StackLabels.Grafana),
        Data = new SortedDictionary<string, string>(StringComparer.Ordinal) { [GrafanaDatasources.FileName] = GrafanaDatasources.Render(stack) },
    };

    /// <summary>Grafana's Service (status.endpoints.grafana).</summary>
    public static V1Service Service(V1Alpha1MetricsStack stack) =>
        ServiceBuilder.ClusterIp(stack, StackNames.Grafana(stack), StackLabels.Grafana, "http", StackNames.GrafanaPort, "http");

    /// <summary>Grafana's Deployment: one replica with Recreate, since its SQLite database sits on a ReadWriteOnce claim.</summary>
    /// <param name="stack">The stack.</param>
    /// <param name="tokenRevision">The read token's authorization ID: a change rolls the pod onto the new token.</param>
    public static V1Deployment Deployment(DefaultedStack stack, string? tokenRevision = null)
    {
        var grafana = stack.Grafana;
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = V1Deployment.KubeKind,
            Metadata = ObjectMetaBuilder.Owned(stack, StackNames.Grafana(stack), StackLabels.Grafana),
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Strategy = new V1DeploymentStrategy { Type = "Recreate" },
                Selector = new V1LabelSelector { MatchLabels = StackLabels.Selector(stack, StackLabels.Grafana) },
                Template = PodPlacement.Applied(new V1PodTemplateSpec
                {
                    // Grafana reads provisioning files at start only: their hash rolls the pod when they change.
                    Metadata = ObjectMetaBuilder.PodTemplate(stack, StackLabels.Grafana, TokenRevision.Add(ConfigHash.AnnotationFor(GrafanaDatasources.Render(stack)), tokenRevision)),
                    Spec = new V1PodSpec
                    {
                        SecurityContext = PodSecurity.Pod(PodSecurity.GrafanaUser),
                        AutomountServiceAccountToken = false,
                        Containers = [Container(stack, grafana)],
                        Volumes =
                        [
                            new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = StackNames.Grafana(stack) } },
                            new V1Volume { Name = "datasources", ConfigMap = new V1ConfigMapVolumeSource { Name = StackNames.GrafanaProvisioning(stack) } },
                            PodSecurity.TmpVolume(),
                        ],
                    },
                }, grafana.Pod),
            },
        };
    }

    private static V1Container Container(V1Alpha1MetricsStack stack, DefaultedGrafana grafana) => new()
    {
        Name = "grafana",
        Image = grafana.Image,
        Ports = [new V1ContainerPort { Name = "http", ContainerPort = StackNames.GrafanaPort, Protocol = "TCP" }],
        Env =
        [
            Env.FromSecret("GF_SECURITY_ADMIN_USER", StackNames.GrafanaAdminSecret(stack), StackNames.GrafanaUserKey),
            Env.FromSecret("GF_SECURITY_ADMIN_PASSWORD", StackNames.GrafanaAdminSecret(stack), StackNames.GrafanaPasswordKey),
            Env.FromSecret(GrafanaDatasources.TokenEnv, StackNames.GrafanaTokenSecret(stack), StackNames.TokenKey),
            // The image also logs to files under /var/log/grafana, which the read-only root filesystem forbids.
            Env.Value("GF_LOG_MODE", "console"),
            Env.Value("GF_ANALYTICS_REPORTING_ENABLED", "false"),
            Env.Value("GF_ANALYTICS_CHECK_FOR_UPDATES", "false"),
            .. GrafanaSettings.Env(grafana.Spec),
        ],
        ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/api/health", Port = "http" }, PeriodSeconds = 10, TimeoutSeconds = 5 },
        // Database migrations after an upgrade can take a while: liveness starts late.
        LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/api/health", Port = "http" }, InitialDelaySeconds = 60, PeriodSeconds = 30, TimeoutSeconds = 5, FailureThreshold = 5 },
        Resources = DefaultResources.Grafana(grafana.Resources),
        SecurityContext = PodSecurity.Container(PodSecurity.GrafanaUser),
        VolumeMounts =
        [
            new V1VolumeMount { Name = "data", MountPath = DataDirectory },
            new V1VolumeMount { Name = "datasources", MountPath = DatasourcesDirectory, ReadOnlyProperty = true },
            PodSecurity.TmpMount(),
        ],
    };
}

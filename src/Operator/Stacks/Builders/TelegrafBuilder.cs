using k8s;
using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Telegraf: the listener apps write to, forwarding to InfluxDB. A Deployment normally; a StatefulSet when the disk
/// buffer is on, because each pod needs a buffer volume of its own (one ReadWriteOnce claim cannot serve several
/// replicas, and two Telegraf processes must never share a buffer directory).
/// </summary>
public static class TelegrafBuilder
{
    private const string ConfigDirectory = "/etc/telegraf";

    /// <summary>The ConfigMap holding <c>telegraf.conf</c> (no secret in it: the token is an env reference).</summary>
    public static V1ConfigMap ConfigMap(DefaultedStack stack) => new()
    {
        ApiVersion = "v1",
        Kind = V1ConfigMap.KubeKind,
        Metadata = ObjectMetaBuilder.Owned(stack, StackNames.TelegrafConfig(stack), StackLabels.Telegraf),
        Data = new SortedDictionary<string, string>(StringComparer.Ordinal) { [TelegrafConfigRenderer.FileName] = TelegrafConfigRenderer.Render(stack) },
    };

    /// <summary>The Service apps write line protocol to (status.endpoints.write).</summary>
    public static V1Service Service(DefaultedStack stack) =>
        ServiceBuilder.ClusterIp(stack, StackNames.Telegraf(stack), StackLabels.Telegraf, "http-listener", stack.Telegraf.ListenerPort, "listener");

    /// <summary>
    /// The workload: a Deployment, or a StatefulSet with a buffer claim per pod when the disk buffer is on.
    /// <paramref name="tokenRevision"/> (the write token's authorization ID) and <paramref name="listenerTokenRevision"/>
    /// (the listener token's creation time) roll the pods when either token changes.
    /// </summary>
    public static IKubernetesObject<V1ObjectMeta> Workload(DefaultedStack stack, string? tokenRevision = null, string? listenerTokenRevision = null)
    {
        var telegraf = stack.Telegraf;
        var metadata = ObjectMetaBuilder.Owned(stack, StackNames.Telegraf(stack), StackLabels.Telegraf);
        var selector = new V1LabelSelector { MatchLabels = StackLabels.Selector(stack, StackLabels.Telegraf) };
        var template = PodPlacement.Applied(PodTemplate(stack, tokenRevision, listenerTokenRevision), telegraf.Pod);
        if (!telegraf.DiskBuffer.Enabled)
        {
            return new V1Deployment
            {
                ApiVersion = "apps/v1",
                Kind = V1Deployment.KubeKind,
                Metadata = metadata,
                Spec = new V1DeploymentSpec { Replicas = telegraf.Replicas, Selector = selector, Template = template },
            };
        }

        return new V1StatefulSet
        {
            ApiVersion = "apps/v1",
            Kind = V1StatefulSet.KubeKind,
            Metadata = metadata,
            Spec = new V1StatefulSetSpec
            {
                Replicas = telegraf.Replicas,
                ServiceName = StackNames.Telegraf(stack),
                // Pods are independent forwarders: no reason to start them one by one.
                PodManagementPolicy = "Parallel",
                Selector = selector,
                Template = template,
                // Claims made from this template are not owned by the StatefulSet, so unsent metrics survive a
                // scale-down, turning the buffer off, or the stack's deletion (persistentVolumeClaimRetentionPolicy
                // would say so explicitly but does not exist on Kubernetes 1.20).
                VolumeClaimTemplates =
                [
                    new V1PersistentVolumeClaim
                    {
                        Metadata = new V1ObjectMeta { Name = StackNames.TelegrafBufferVolume, Labels = StackLabels.ForData(stack, StackLabels.Telegraf) },
                        Spec = new V1PersistentVolumeClaimSpec
                        {
                            AccessModes = ["ReadWriteOnce"],
                            Resources = new V1VolumeResourceRequirements
                            {
                                Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = telegraf.DiskBuffer.Size },
                            },
                        },
                    },
                ],
            },
        };
    }

    private static V1PodTemplateSpec PodTemplate(DefaultedStack stack, string? tokenRevision, string? listenerTokenRevision)
    {
        var telegraf = stack.Telegraf;
        var conf = TelegrafConfigRenderer.Render(stack);
        var volumes = new List<V1Volume>
        {
            new() { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = StackNames.TelegrafConfig(stack) } },
            PodSecurity.TmpVolume(),
        };
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = "config", MountPath = ConfigDirectory, ReadOnlyProperty = true },
            PodSecurity.TmpMount(),
        };
        var env = new List<V1EnvVar>
        {
            Env.FromSecret(TelegrafConfigRenderer.TokenEnv, StackNames.TelegrafTokenSecret(stack), StackNames.TokenKey),
        };

        if (TelegrafConfigRenderer.RequiresToken(stack))
        {
            env.Add(Env.FromSecret(TelegrafConfigRenderer.ListenerTokenEnv, StackNames.ListenerTokenSecret(stack), StackNames.TokenKey));
        }

        if (telegraf.DiskBuffer.Enabled)
        {
            mounts.Add(new V1VolumeMount { Name = StackNames.TelegrafBufferVolume, MountPath = TelegrafConfigRenderer.BufferDirectory });
        }

        if (KafkaSettings.From(stack) is { } kafka)
        {
            // Exactly the Secret keys telegraf.conf names: ${ENV} references and file paths.
            env.AddRange(KafkaPodParts.Env(kafka));
            volumes.AddRange(KafkaPodParts.Volumes(kafka));
            mounts.AddRange(KafkaPodParts.Mounts(kafka));
        }

        if (TelegrafAgentRenderer.InternalEnabled(telegraf))
        {
            env.Add(new V1EnvVar { Name = TelegrafAgentRenderer.PodNameEnv, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } });
        }

        return new V1PodTemplateSpec
        {
            Metadata = ObjectMetaBuilder.PodTemplate(stack, StackLabels.Telegraf, ListenerRevision(TokenRevision.Add(ConfigHash.AnnotationFor(conf), tokenRevision), listenerTokenRevision)),
            Spec = new V1PodSpec
            {
                SecurityContext = PodSecurity.Pod(PodSecurity.TelegrafUser),
                // Telegraf needs no Kubernetes API access: no token in the pod.
                AutomountServiceAccountToken = false,
                Containers =
                [
                    new V1Container
                    {
                        Name = "telegraf",
                        Image = telegraf.Image,
                        // The image's entrypoint prepends "telegraf" to arguments starting with "-".
                        Args = ["--config", $"{ConfigDirectory}/{TelegrafConfigRenderer.FileName}"],
                        Ports = [new V1ContainerPort { Name = "listener", ContainerPort = telegraf.ListenerPort, Protocol = "TCP" }],
                        Env = env,
                        // Telegraf has no health endpoint of its own; an open listener port is what apps need.
                        ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = "listener" }, PeriodSeconds = 10 },
                        LivenessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = "listener" }, InitialDelaySeconds = 30, PeriodSeconds = 20 },
                        Resources = DefaultResources.Telegraf(telegraf.Resources),
                        SecurityContext = PodSecurity.Container(PodSecurity.TelegrafUser),
                        VolumeMounts = mounts,
                    },
                ],
                Volumes = volumes,
            },
        };
    }

    // Telegraf reads the listener token from its env at start: a new token must restart the pods.
    private static IDictionary<string, string> ListenerRevision(IDictionary<string, string> annotations, string? revision)
    {
        if (!string.IsNullOrEmpty(revision))
        {
            annotations[StackBuildOptions.ListenerTokenRevisionAnnotation] = revision;
        }

        return annotations;
    }
}

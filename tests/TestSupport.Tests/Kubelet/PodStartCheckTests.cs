using System.Text;
using k8s.Models;
using MetricsOperator.TestSupport.Kubelet;

namespace MetricsOperator.TestSupport.Tests.Kubelet;

/// <summary>
/// The kubelet stand-in's verdicts, one check each: a pod that a restricted cluster would start does start, and each
/// thing a kubelet, the scheduler or admission would refuse leaves it where a cluster would, in the cluster's words.
/// </summary>
public sealed class PodStartCheckTests
{
    private const string Ns = "metrics";

    [Fact]
    public void A_restricted_pod_whose_references_all_exist_starts_with_its_environment_resolved()
    {
        var verdict = Check(Pod());

        verdict.Stage.ShouldBe(PodStage.Ready, verdict.Message);
        verdict.Environment["app"]["PASSWORD"].ShouldBe("s3cret");
        verdict.Environment["app"]["MODE"].ShouldBe("fast");
        verdict.Environment["app"]["POD"].ShouldBe("app-0");
    }

    [Fact]
    public void A_missing_secret_in_env_is_CreateContainerConfigError_with_the_kubelets_message()
    {
        var verdict = Check(Pod(), secrets: []);

        verdict.Stage.ShouldBe(PodStage.CreateContainerConfigError);
        verdict.Message.ShouldBe("secret \"creds\" not found");
    }

    [Fact]
    public void A_missing_key_in_env_names_the_key_and_the_secret()
    {
        var verdict = Check(Pod(), secrets: [Secret("creds", ("other", "x"))]);

        verdict.Stage.ShouldBe(PodStage.CreateContainerConfigError);
        verdict.Message.ShouldBe($"couldn't find key password in Secret {Ns}/creds");
    }

    [Fact]
    public void An_optional_missing_key_does_not_stop_the_pod()
    {
        var pod = Pod();
        pod.Containers[0].Env[0].ValueFrom.SecretKeyRef.Optional = true;

        Check(pod, secrets: []).Stage.ShouldBe(PodStage.Ready);
    }

    [Fact]
    public void A_missing_configmap_key_in_env_is_CreateContainerConfigError()
    {
        var verdict = Check(Pod(), maps: [Map("settings", ("unrelated", "1"))]);

        verdict.Stage.ShouldBe(PodStage.CreateContainerConfigError);
        verdict.Message.ShouldBe($"couldn't find key mode in ConfigMap {Ns}/settings");
    }

    [Fact]
    public void A_missing_envFrom_secret_is_CreateContainerConfigError()
    {
        var pod = Pod();
        pod.Containers[0].EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "bulk" } }];

        var verdict = Check(pod);

        verdict.Stage.ShouldBe(PodStage.CreateContainerConfigError);
        verdict.Message.ShouldBe("secret \"bulk\" not found");
    }

    [Fact]
    public void A_missing_secret_volume_leaves_the_pod_in_ContainerCreating()
    {
        var pod = Pod();
        pod.Volumes.Add(new V1Volume { Name = "tls", Secret = new V1SecretVolumeSource { SecretName = "tls-cert" } });

        var verdict = Check(pod);

        verdict.Stage.ShouldBe(PodStage.ContainerCreating);
        verdict.Message.ShouldBe("MountVolume.SetUp failed for volume \"tls\" : secret \"tls-cert\" not found");
    }

    [Fact]
    public void A_configmap_volume_item_naming_no_key_leaves_the_pod_in_ContainerCreating()
    {
        var pod = Pod();
        pod.Volumes.Add(new V1Volume { Name = "conf", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings", Items = [new V1KeyToPath { Key = "telegraf.conf", Path = "t.conf" }] } });

        var verdict = Check(pod);

        verdict.Stage.ShouldBe(PodStage.ContainerCreating);
        verdict.Message.ShouldBe("MountVolume.SetUp failed for volume \"conf\" : configmap references non-existent config key: telegraf.conf");
    }

    [Fact]
    public void A_claim_that_does_not_exist_makes_the_pod_unschedulable_unless_a_claim_template_makes_it()
    {
        var pod = Pod();
        pod.Volumes.Add(new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "data-app-0" } });

        var verdict = Check(pod);
        var templated = PodStartCheck.Check("app-0", Ns, pod, References(), new HashSet<string> { "data-app-0" });

        verdict.Stage.ShouldBe(PodStage.Unschedulable);
        verdict.Message.ShouldBe("0/1 nodes are available: 1 persistentvolumeclaim \"data-app-0\" not found.");
        templated.Stage.ShouldBe(PodStage.Ready);
    }

    [Fact]
    public void A_missing_service_account_is_refused_by_admission()
    {
        var pod = Pod();
        pod.ServiceAccountName = "reader";

        var verdict = Check(pod);

        verdict.Stage.ShouldBe(PodStage.Forbidden);
        verdict.Message.ShouldBe($"pods \"app-0\" is forbidden: error looking up service account {Ns}/reader: serviceaccount \"reader\" not found");
    }

    [Fact]
    public void A_mount_naming_no_volume_is_invalid()
    {
        var pod = Pod();
        pod.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "nowhere", MountPath = "/x" }];

        var verdict = Check(pod);

        verdict.Stage.ShouldBe(PodStage.Forbidden);
        verdict.Message.ShouldContain("spec.containers[0].volumeMounts[0].name: Not found: \"nowhere\"");
    }

    [Fact]
    public void A_probe_naming_an_undeclared_port_never_gets_ready()
    {
        var pod = Pod();
        pod.Containers[0].ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/health", Port = "web" } };

        var verdict = Check(pod);

        verdict.Stage.ShouldBe(PodStage.NotReady);
        verdict.Message.ShouldBe("Readiness probe errored: port web not found");
    }

    [Fact]
    public void A_probe_naming_a_declared_port_is_fine()
    {
        var pod = Pod();
        pod.Containers[0].Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }];
        pod.Containers[0].ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/health", Port = "http" } };

        Check(pod).Stage.ShouldBe(PodStage.Ready);
    }

    [Theory]
    [InlineData("allowPrivilegeEscalation", "allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false)")]
    [InlineData("capabilities", "unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"])")]
    [InlineData("runAsNonRoot", "runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true)")]
    [InlineData("runAsUser", "runAsUser=0 (pod or container \"app\" must not set runAsUser=0)")]
    [InlineData("seccomp", "seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")")]
    [InlineData("privileged", "privileged (container \"app\" must not set securityContext.privileged=true)")]
    [InlineData("hostNetwork", "host namespaces (hostNetwork=true)")]
    [InlineData("hostPath", "hostPath volumes (volume \"host\")")]
    public void Each_breach_of_the_restricted_profile_is_refused_in_PodSecuritys_words(string breach, string violation)
    {
        var pod = Pod();
        var context = pod.Containers[0].SecurityContext;
        switch (breach)
        {
            case "allowPrivilegeEscalation": context.AllowPrivilegeEscalation = null; break;
            case "capabilities": context.Capabilities = null; break;
            case "runAsNonRoot": pod.SecurityContext.RunAsNonRoot = null; break;
            case "runAsUser": context.RunAsUser = 0; break;
            case "seccomp": pod.SecurityContext.SeccompProfile = null; break;
            case "privileged": context.Privileged = true; break;
            case "hostNetwork": pod.HostNetwork = true; break;
            case "hostPath": pod.Volumes.Add(new V1Volume { Name = "host", HostPath = new V1HostPathVolumeSource { Path = "/var" } }); break;
        }

        var verdict = Check(pod);

        verdict.Stage.ShouldBe(PodStage.Forbidden);
        verdict.Message.ShouldStartWith("pods \"app-0\" is forbidden: violates PodSecurity \"restricted:latest\": ");
        verdict.Message.ShouldContain(violation);
    }

    private static PodVerdict Check(V1PodSpec pod, V1Secret[]? secrets = null, V1ConfigMap[]? maps = null) =>
        PodStartCheck.Check("app-0", Ns, pod, References(secrets, maps));

    private static PodReferences References(V1Secret[]? secrets = null, V1ConfigMap[]? maps = null)
    {
        secrets ??= [Secret("creds", ("password", "s3cret"))];
        maps ??= [Map("settings", ("mode", "fast"))];
        return new PodReferences(
            name => secrets.FirstOrDefault(s => s.Metadata.Name == name),
            name => maps.FirstOrDefault(m => m.Metadata.Name == name),
            _ => false,
            name => name == "default");
    }

    private static V1Secret Secret(string name, params (string Key, string Value)[] data) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Data = data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetBytes(d.Value)),
    };

    private static V1ConfigMap Map(string name, params (string Key, string Value)[] data) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Data = data.ToDictionary(d => d.Key, d => d.Value),
    };

    // A pod that meets the restricted profile and references one Secret key, one ConfigMap key and its own name.
    private static V1PodSpec Pod() => new()
    {
        SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, RunAsUser = 1000, SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
        Volumes = [],
        Containers =
        [
            new V1Container
            {
                Name = "app",
                Image = "app:1",
                SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false, Capabilities = new V1Capabilities { Drop = ["ALL"] } },
                Env =
                [
                    new V1EnvVar { Name = "PASSWORD", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "creds", Key = "password" } } },
                    new V1EnvVar { Name = "MODE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "mode" } } },
                    new V1EnvVar { Name = "POD", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
                ],
            },
        ],
    };
}

using System.Text;
using k8s;
using k8s.Models;

namespace MetricsOperator.TestSupport.Kubelet;

/// <summary>How far a pod gets, in the order a cluster decides it.</summary>
public enum PodStage
{
    /// <summary>Admission refuses the pod (Pod Security, a missing ServiceAccount): no pod exists; the workload controller reports FailedCreate.</summary>
    Forbidden,

    /// <summary>The scheduler cannot place it (a claim that does not exist): Pending, PodScheduled=False.</summary>
    Unschedulable,

    /// <summary>The kubelet cannot mount a volume (a Secret or ConfigMap that does not exist): waiting in ContainerCreating.</summary>
    ContainerCreating,

    /// <summary>The kubelet cannot build a container's environment (a missing Secret, ConfigMap or key): CreateContainerConfigError.</summary>
    CreateContainerConfigError,

    /// <summary>Running, but a probe can never succeed (it names a port the container does not declare).</summary>
    NotReady,

    /// <summary>Running and ready.</summary>
    Ready,
}

/// <summary>What a cluster would make of a pod, with the status reason and message it would show.</summary>
/// <param name="Stage">How far it gets.</param>
/// <param name="Reason">The waiting reason, condition reason or event reason a cluster shows.</param>
/// <param name="Message">The message a cluster shows, in its words.</param>
/// <param name="Environment">Each container's resolved environment (name → value), when it gets that far.</param>
public sealed record PodVerdict(PodStage Stage, string Reason, string Message, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Environment)
{
    /// <summary>Whether the pod runs and is ready.</summary>
    public bool Starts => Stage == PodStage.Ready;
}

/// <summary>The objects a pod may reference, as the API server holds them (null: does not exist).</summary>
/// <param name="Secret">A Secret of the pod's namespace by name.</param>
/// <param name="ConfigMap">A ConfigMap of the pod's namespace by name.</param>
/// <param name="ClaimExists">Whether a PersistentVolumeClaim of that name exists.</param>
/// <param name="ServiceAccountExists">Whether a ServiceAccount of that name exists.</param>
public sealed record PodReferences(Func<string, V1Secret?> Secret, Func<string, V1ConfigMap?> ConfigMap, Func<string, bool> ClaimExists, Func<string, bool> ServiceAccountExists)
{
    /// <summary>Reads, once each, what <paramref name="spec"/> references in <paramref name="ns"/> through the API server.</summary>
    public static async Task<PodReferences> LoadAsync(IKubernetes admin, string ns, V1PodSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(spec);
        var containers = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).ToList();
        var volumes = spec.Volumes ?? [];
        var secretNames = containers.SelectMany(c => (c.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Name).Concat((c.EnvFrom ?? []).Select(e => e.SecretRef?.Name)))
            .Concat(volumes.Select(v => v.Secret?.SecretName))
            .Concat(volumes.SelectMany(v => v.Projected?.Sources ?? []).Select(s => s.Secret?.Name));
        var mapNames = containers.SelectMany(c => (c.Env ?? []).Select(e => e.ValueFrom?.ConfigMapKeyRef?.Name).Concat((c.EnvFrom ?? []).Select(e => e.ConfigMapRef?.Name)))
            .Concat(volumes.Select(v => v.ConfigMap?.Name))
            .Concat(volumes.SelectMany(v => v.Projected?.Sources ?? []).Select(s => s.ConfigMap?.Name));
        var secrets = new Dictionary<string, V1Secret?>(StringComparer.Ordinal);
        foreach (var name in secretNames.OfType<string>().Distinct())
        {
            secrets[name] = await KubeletStandIn.ReadOrNullAsync(() => admin.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken));
        }

        var maps = new Dictionary<string, V1ConfigMap?>(StringComparer.Ordinal);
        foreach (var name in mapNames.OfType<string>().Distinct())
        {
            maps[name] = await KubeletStandIn.ReadOrNullAsync(() => admin.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken));
        }

        var claims = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var name in volumes.Select(v => v.PersistentVolumeClaim?.ClaimName).OfType<string>().Distinct())
        {
            claims[name] = await KubeletStandIn.ReadOrNullAsync(() => admin.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(name, ns, cancellationToken: cancellationToken)) is not null;
        }

        var account = spec.ServiceAccountName is { Length: > 0 } named ? named : "default";
        var accountExists = await KubeletStandIn.ReadOrNullAsync(() => admin.CoreV1.ReadNamespacedServiceAccountAsync(account, ns, cancellationToken: cancellationToken)) is not null;
        return new PodReferences(secrets.GetValueOrDefault, maps.GetValueOrDefault, claims.GetValueOrDefault, name => name == account && accountExists);
    }
}

/// <summary>
/// Decides whether a kubelet (after admission and the scheduler) would start a pod, and if not, what the cluster would
/// say, in the order a cluster checks: admission (Pod Security "restricted", the ServiceAccount), API validation (a
/// mount naming no volume), scheduling (claims), volume mounts (Secret and ConfigMap volumes), the container
/// environment (env and envFrom), then probes. Pure: the references come in through <see cref="PodReferences"/>.
/// </summary>
/// <remarks>
/// Messages are the ones Kubernetes writes: the kubelet's kuberuntime (<c>secret "x" not found</c>,
/// <c>couldn't find key k in Secret ns/x</c>), its volume manager (<c>MountVolume.SetUp failed for volume "v" : …</c>),
/// the ServiceAccount admission plugin (<c>error looking up service account ns/sa: serviceaccount "sa" not found</c>),
/// the scheduler's volume binding (<c>persistentvolumeclaim "c" not found</c>), the prober's port lookup
/// (<c>port p not found</c>) and PodSecurity admission (see <see cref="RestrictedProfile"/>).
/// </remarks>
public static class PodStartCheck
{
    /// <summary>The verdict on a pod.</summary>
    /// <param name="podName">The pod's name (admission messages name it).</param>
    /// <param name="ns">Its namespace.</param>
    /// <param name="spec">Its spec.</param>
    /// <param name="references">The objects it may reference.</param>
    /// <param name="claimTemplates">Claim names the workload's controller makes itself (a StatefulSet's volumeClaimTemplates for this ordinal).</param>
    public static PodVerdict Check(string podName, string ns, V1PodSpec spec, PodReferences references, IReadOnlySet<string>? claimTemplates = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(references);
        var none = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        var containers = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).ToList();

        var violations = RestrictedProfile.Violations(spec);
        if (violations.Count > 0)
        {
            return new(PodStage.Forbidden, "FailedCreate", $"pods \"{podName}\" is forbidden: violates PodSecurity \"restricted:latest\": {string.Join(", ", violations)}", none);
        }

        var account = spec.ServiceAccountName is { Length: > 0 } named ? named : "default";
        if (!references.ServiceAccountExists(account))
        {
            return new(PodStage.Forbidden, "FailedCreate", $"pods \"{podName}\" is forbidden: error looking up service account {ns}/{account}: serviceaccount \"{account}\" not found", none);
        }

        var volumes = (spec.Volumes ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        for (var i = 0; i < containers.Count; i++)
        {
            foreach (var (mount, j) in (containers[i].VolumeMounts ?? []).Select((m, j) => (m, j)))
            {
                if (!volumes.ContainsKey(mount.Name))
                {
                    return new(PodStage.Forbidden, "FailedCreate", $"Pod \"{podName}\" is invalid: spec.containers[{i}].volumeMounts[{j}].name: Not found: \"{mount.Name}\"", none);
                }
            }
        }

        foreach (var volume in volumes.Values)
        {
            if (volume.PersistentVolumeClaim is { } claim && claimTemplates?.Contains(claim.ClaimName) != true && !references.ClaimExists(claim.ClaimName))
            {
                return new(PodStage.Unschedulable, "Unschedulable", $"0/1 nodes are available: 1 persistentvolumeclaim \"{claim.ClaimName}\" not found.", none);
            }
        }

        foreach (var volume in volumes.Values)
        {
            if (MountProblem(volume, ns, references) is { } problem)
            {
                return new(PodStage.ContainerCreating, "ContainerCreating", $"MountVolume.SetUp failed for volume \"{volume.Name}\" : {problem}", none);
            }
        }

        var environment = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var container in containers)
        {
            var (env, problem) = Environment(container, podName, ns, references);
            if (problem is not null)
            {
                return new(PodStage.CreateContainerConfigError, "CreateContainerConfigError", problem, environment);
            }

            environment[container.Name] = env;
        }

        foreach (var container in spec.Containers ?? [])
        {
            foreach (var (kind, probe) in new[] { ("Readiness", container.ReadinessProbe), ("Liveness", container.LivenessProbe), ("Startup", container.StartupProbe) })
            {
                var port = probe?.HttpGet?.Port ?? probe?.TcpSocket?.Port;
                if (port?.Value is { } name && !int.TryParse(name, out _) && container.Ports?.Any(p => p.Name == name) != true)
                {
                    return new(PodStage.NotReady, "Unhealthy", $"{kind} probe errored: port {name} not found", environment);
                }
            }
        }

        return new(PodStage.Ready, "Running", "", environment);
    }

    private static string? MountProblem(V1Volume volume, string ns, PodReferences references)
    {
        if (volume.Secret is { } secretVolume && secretVolume.Optional != true)
        {
            var secret = references.Secret(secretVolume.SecretName);
            if (secret is null)
            {
                return $"secret \"{secretVolume.SecretName}\" not found";
            }

            if (secretVolume.Items?.FirstOrDefault(item => secret.Data?.ContainsKey(item.Key) != true) is { } missing)
            {
                return $"references non-existent secret key: {missing.Key}";
            }
        }

        if (volume.ConfigMap is { } mapVolume && mapVolume.Optional != true)
        {
            var map = references.ConfigMap(mapVolume.Name);
            if (map is null)
            {
                return $"configmap \"{mapVolume.Name}\" not found";
            }

            if (mapVolume.Items?.FirstOrDefault(item => map.Data?.ContainsKey(item.Key) != true && map.BinaryData?.ContainsKey(item.Key) != true) is { } missing)
            {
                return $"configmap references non-existent config key: {missing.Key}";
            }
        }

        foreach (var source in volume.Projected?.Sources ?? [])
        {
            if (source.Secret is { Optional: not true } s && references.Secret(s.Name) is null)
            {
                return $"secret \"{s.Name}\" not found";
            }

            if (source.ConfigMap is { Optional: not true } c && references.ConfigMap(c.Name) is null)
            {
                return $"configmap \"{c.Name}\" not found";
            }
        }

        _ = ns;
        return null;
    }

    private static (IReadOnlyDictionary<string, string> Environment, string? Problem) Environment(V1Container container, string podName, string ns, PodReferences references)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var from in container.EnvFrom ?? [])
        {
            if (from.SecretRef is { } secretRef)
            {
                var secret = references.Secret(secretRef.Name);
                if (secret is null)
                {
                    if (secretRef.Optional == true) continue;
                    return (env, $"secret \"{secretRef.Name}\" not found");
                }

                foreach (var (key, value) in secret.Data ?? new Dictionary<string, byte[]>())
                {
                    env[(from.Prefix ?? "") + key] = Encoding.UTF8.GetString(value);
                }
            }

            if (from.ConfigMapRef is { } mapRef)
            {
                var map = references.ConfigMap(mapRef.Name);
                if (map is null)
                {
                    if (mapRef.Optional == true) continue;
                    return (env, $"configmap \"{mapRef.Name}\" not found");
                }

                foreach (var (key, value) in map.Data ?? new Dictionary<string, string>())
                {
                    env[(from.Prefix ?? "") + key] = value;
                }
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom is null)
            {
                env[variable.Name] = variable.Value ?? "";
            }
            else if (variable.ValueFrom.SecretKeyRef is { } secretKey)
            {
                var secret = references.Secret(secretKey.Name);
                if (secret?.Data?.TryGetValue(secretKey.Key, out var bytes) == true)
                {
                    env[variable.Name] = Encoding.UTF8.GetString(bytes);
                }
                else if (secretKey.Optional != true)
                {
                    return (env, secret is null ? $"secret \"{secretKey.Name}\" not found" : $"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name}");
                }
            }
            else if (variable.ValueFrom.ConfigMapKeyRef is { } mapKey)
            {
                var map = references.ConfigMap(mapKey.Name);
                if (map?.Data?.TryGetValue(mapKey.Key, out var value) == true)
                {
                    env[variable.Name] = value;
                }
                else if (mapKey.Optional != true)
                {
                    return (env, map is null ? $"configmap \"{mapKey.Name}\" not found" : $"couldn't find key {mapKey.Key} in ConfigMap {ns}/{mapKey.Name}");
                }
            }
            else if (variable.ValueFrom.FieldRef is { } field)
            {
                env[variable.Name] = field.FieldPath switch
                {
                    "metadata.name" => podName,
                    "metadata.namespace" => ns,
                    _ => "",
                };
            }
        }

        return (env, null);
    }
}

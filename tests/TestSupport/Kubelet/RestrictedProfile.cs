using k8s.Models;

namespace MetricsOperator.TestSupport.Kubelet;

/// <summary>
/// The Pod Security Standards' "restricted" profile, which the 1.20 test API server cannot enforce (PodSecurity admission
/// came in 1.22, beta 1.23): each check of the profile, with the violation text PodSecurity admission writes. Pure.
/// </summary>
/// <remarks>
/// Source: kubernetes.io/docs/concepts/security/pod-security-standards ("Restricted", current version), and the checks
/// and their messages in k8s.io/pod-security-admission/policy (check_privileged.go, check_hostNamespaces.go,
/// check_hostPathVolumes.go, check_hostPorts.go, check_capabilities_restricted.go, check_allowPrivilegeEscalation.go,
/// check_runAsNonRoot.go, check_runAsUser.go, check_seccompProfile_restricted.go, check_restrictedVolumes.go). The
/// admission error reads <c>pods "NAME" is forbidden: violates PodSecurity "restricted:latest": A, B</c>.
/// </remarks>
public static class RestrictedProfile
{
    // check_restrictedVolumes.go: the only volume types the restricted profile allows.
    private static readonly string[] AllowedVolumeTypes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    /// <summary>Every violation of the restricted profile by <paramref name="pod"/>, in PodSecurity's words; empty when it passes.</summary>
    public static IReadOnlyList<string> Violations(V1PodSpec pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var containers = (pod.InitContainers ?? []).Concat(pod.Containers ?? []).ToList();
        var violations = new List<string>();

        var privileged = containers.Where(c => c.SecurityContext?.Privileged == true).Select(c => c.Name).ToList();
        Add(violations, privileged, names => $"privileged ({Containers(names)} must not set securityContext.privileged=true)");

        var hostNamespaces = new List<string>();
        if (pod.HostNetwork == true) hostNamespaces.Add("hostNetwork=true");
        if (pod.HostPID == true) hostNamespaces.Add("hostPID=true");
        if (pod.HostIPC == true) hostNamespaces.Add("hostIPC=true");
        if (hostNamespaces.Count > 0) violations.Add($"host namespaces ({string.Join(", ", hostNamespaces)})");

        var hostPaths = (pod.Volumes ?? []).Where(v => v.HostPath is not null).Select(v => v.Name).ToList();
        Add(violations, hostPaths, names => $"hostPath volumes ({Quoted("volume", names)})");

        var hostPorts = containers.Where(c => c.Ports?.Any(p => (p.HostPort ?? 0) != 0) == true).Select(c => c.Name).ToList();
        Add(violations, hostPorts, names => $"hostPort ({Containers(names)} uses hostPort)");

        var noEscalation = containers.Where(c => c.SecurityContext?.AllowPrivilegeEscalation != false).Select(c => c.Name).ToList();
        Add(violations, noEscalation, names => $"allowPrivilegeEscalation != false ({Containers(names)} must set securityContext.allowPrivilegeEscalation=false)");

        var notDropped = containers.Where(c => c.SecurityContext?.Capabilities?.Drop?.Contains("ALL") != true).Select(c => c.Name).ToList();
        var added = containers.Where(c => c.SecurityContext?.Capabilities?.Add?.Any(a => a != "NET_BIND_SERVICE") == true).Select(c => c.Name).ToList();
        if (notDropped.Count > 0 || added.Count > 0)
        {
            var parts = new List<string>();
            if (notDropped.Count > 0) parts.Add($"{Containers(notDropped)} must set securityContext.capabilities.drop=[\"ALL\"]");
            if (added.Count > 0) parts.Add($"{Containers(added)} must not include capabilities other than NET_BIND_SERVICE in securityContext.capabilities.add");
            violations.Add($"unrestricted capabilities ({string.Join("; ", parts)})");
        }

        var podNonRoot = pod.SecurityContext?.RunAsNonRoot == true;
        var mayRunAsRoot = containers.Where(c => c.SecurityContext?.RunAsNonRoot == false || (!podNonRoot && c.SecurityContext?.RunAsNonRoot != true)).Select(c => c.Name).ToList();
        if (pod.SecurityContext?.RunAsNonRoot == false || mayRunAsRoot.Count > 0)
        {
            violations.Add($"runAsNonRoot != true (pod or {Containers(mayRunAsRoot)} must set securityContext.runAsNonRoot=true)");
        }

        var rootUser = containers.Where(c => c.SecurityContext?.RunAsUser == 0).Select(c => c.Name).ToList();
        if (pod.SecurityContext?.RunAsUser == 0 || rootUser.Count > 0)
        {
            violations.Add($"runAsUser=0 (pod or {Containers(rootUser)} must not set runAsUser=0)");
        }

        var podSeccomp = Seccomp(pod.SecurityContext?.SeccompProfile);
        var badSeccomp = containers.Where(c => c.SecurityContext?.SeccompProfile is { } own ? !Seccomp(own) : !podSeccomp).Select(c => c.Name).ToList();
        Add(violations, badSeccomp, names => $"seccompProfile (pod or {Containers(names)} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");

        var restrictedVolumes = (pod.Volumes ?? []).Where(v => VolumeType(v) is { } type && !AllowedVolumeTypes.Contains(type)).Select(v => v.Name).ToList();
        Add(violations, restrictedVolumes, names => $"restricted volume types ({Quoted("volume", names)} uses a restricted volume type)");
        return violations;
    }

    private static bool Seccomp(V1SeccompProfile? profile) => profile?.Type is "RuntimeDefault" or "Localhost";

    // The volume source that is set, by its JSON name (what PodSecurity names).
    private static string? VolumeType(V1Volume volume) =>
        typeof(V1Volume).GetProperties()
            .Where(p => p.Name != nameof(V1Volume.Name) && p.GetValue(volume) is not null)
            .Select(p => p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), false)
                .OfType<System.Text.Json.Serialization.JsonPropertyNameAttribute>().FirstOrDefault()?.Name ?? p.Name)
            .FirstOrDefault();

    private static void Add(List<string> violations, List<string> names, Func<List<string>, string> describe)
    {
        if (names.Count > 0)
        {
            violations.Add(describe(names));
        }
    }

    private static string Containers(IReadOnlyList<string> names) => Quoted("container", names);

    private static string Quoted(string noun, IReadOnlyList<string> names) =>
        names.Count == 1 ? $"{noun} \"{names[0]}\"" : $"{noun}s {string.Join(", ", names.Select(n => $"\"{n}\""))}";
}

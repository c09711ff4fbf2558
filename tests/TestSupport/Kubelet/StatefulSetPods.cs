using k8s;
using k8s.Models;

namespace MetricsOperator.TestSupport.Kubelet;

/// <summary>What the StatefulSet controller makes of a StatefulSet for one ordinal. Pure.</summary>
public static class StatefulSetPods
{
    /// <summary>The ordinal's claim name for a template: <c>&lt;template&gt;-&lt;statefulset&gt;-&lt;ordinal&gt;</c>.</summary>
    public static string ClaimName(string template, string statefulSet, int ordinal) => $"{template}-{statefulSet}-{ordinal}";

    /// <summary>
    /// The pod spec of ordinal <paramref name="ordinal"/>: the template's, with a volume per claim template pointing at the
    /// ordinal's claim (the controller adds these; the template's mounts name them).
    /// </summary>
    public static V1PodSpec Spec(V1StatefulSet statefulSet, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(statefulSet);
        var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(statefulSet.Spec.Template.Spec));
        spec.Volumes ??= [];
        foreach (var template in statefulSet.Spec.VolumeClaimTemplates ?? [])
        {
            if (spec.Volumes.All(v => v.Name != template.Metadata.Name))
            {
                spec.Volumes.Add(new V1Volume
                {
                    Name = template.Metadata.Name,
                    PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = ClaimName(template.Metadata.Name, statefulSet.Metadata.Name, ordinal) },
                });
            }
        }

        return spec;
    }
}

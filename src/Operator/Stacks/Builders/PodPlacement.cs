using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// A component's <c>pod</c> section (<see cref="PodSettings"/>) applied to its pod template: nodeSelector,
/// tolerations, affinity and priorityClassName copied as given, annotations added under the operator's own.
/// </summary>
public static class PodPlacement
{
    /// <summary>
    /// The prefix of the annotations the operator sets on pod templates (config-hash, token revisions). A spec's
    /// <c>pod.annotations</c> may not use it: StackValidation refuses such keys, and should one reach a builder
    /// anyway, the operator's value wins.
    /// </summary>
    public const string ReservedAnnotationPrefix = ApiGroup.Name + "/";

    /// <summary><paramref name="template"/> with <paramref name="pod"/> applied (the same object, changed in place).</summary>
    public static V1PodTemplateSpec Applied(V1PodTemplateSpec template, PodSettings? pod)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (pod is null)
        {
            return template;
        }

        template.Spec.NodeSelector = pod.NodeSelector is { Count: > 0 }
            ? new SortedDictionary<string, string>(pod.NodeSelector, StringComparer.Ordinal)
            : null;
        template.Spec.Tolerations = pod.Tolerations is { Count: > 0 } ? [.. pod.Tolerations] : null;
        template.Spec.Affinity = pod.Affinity;
        template.Spec.PriorityClassName = pod.PriorityClassName;

        if (pod.Annotations is { Count: > 0 })
        {
            template.Metadata ??= new V1ObjectMeta();
            var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in pod.Annotations.Where(a => !IsReserved(a.Key)))
            {
                merged[key] = value;
            }

            foreach (var (key, value) in template.Metadata.Annotations ?? new Dictionary<string, string>())
            {
                merged[key] = value;
            }

            template.Metadata.Annotations = merged;
        }

        return template;
    }

    /// <summary>Whether an annotation key is the operator's own (under <see cref="ReservedAnnotationPrefix"/>).</summary>
    public static bool IsReserved(string key) =>
        key.StartsWith(ReservedAnnotationPrefix, StringComparison.Ordinal);
}

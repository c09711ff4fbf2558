using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks.Storage;

/// <summary>One existing claim to grow.</summary>
/// <param name="Claim">The claim's name.</param>
/// <param name="From">Its current request.</param>
/// <param name="To">The request the spec asks for.</param>
/// <param name="StorageClass">Its StorageClass (null: the cluster's default).</param>
public sealed record ClaimGrowth(string Claim, ResourceQuantity From, ResourceQuantity To, string? StorageClass);

/// <summary>A StatefulSet whose claim template asks for more than it did: its claims grow, then it is re-created (orphaning its pods).</summary>
/// <param name="StatefulSet">The StatefulSet's name.</param>
/// <param name="Field">The spec field that asks for the size, for messages.</param>
/// <param name="Claims">Its existing claims that must grow.</param>
public sealed record StatefulSetGrowth(string StatefulSet, string Field, IReadOnlyList<ClaimGrowth> Claims);

/// <summary>
/// What a size change in the spec means for volumes that exist: a StatefulSet's claim template is immutable (the API
/// server answers 422), so growing one is "grow each claim it made, then re-create the StatefulSet with the new template".
/// Shrinking and changing the StorageClass are refused: a claim never shrinks, and a new class means a new, empty
/// volume. Pure: the live StatefulSets and claims come in.
/// </summary>
public static class ClaimGrowthPlan
{
    /// <summary>The growths to carry out and the refusals, comparing <paramref name="desired"/> with what runs.</summary>
    public static (IReadOnlyList<StatefulSetGrowth> Growths, IReadOnlyList<FieldError> Refusals) Plan(
        V1Alpha1MetricsStack stack, IEnumerable<IKubernetesObject<V1ObjectMeta>> desired, Func<string, V1StatefulSet?> live, IReadOnlyCollection<V1PersistentVolumeClaim> claims)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(claims);
        var growths = new List<StatefulSetGrowth>();
        var refusals = new List<FieldError>();
        foreach (var wanted in desired.OfType<V1StatefulSet>())
        {
            if (live(wanted.Metadata.Name) is not { } running)
            {
                continue;
            }

            var (sizeField, classField) = Fields(stack, wanted.Metadata.Name);
            var refusedBefore = refusals.Count;
            var grow = new List<ClaimGrowth>();
            foreach (var template in wanted.Spec.VolumeClaimTemplates ?? [])
            {
                var before = running.Spec.VolumeClaimTemplates?.FirstOrDefault(t => t.Metadata.Name == template.Metadata.Name);
                if (before is null)
                {
                    continue;
                }

                var from = Size(before);
                var to = Size(template);
                if (before.Spec.StorageClassName != template.Spec.StorageClassName && classField is not null)
                {
                    refusals.Add(new FieldError(classField,
                        $"the volumes were made with StorageClass {Named(before.Spec.StorageClassName)}; changing it to {Named(template.Spec.StorageClassName)} would need new, empty volumes, so it is refused (move the data with a backup and restore)"));
                    continue;
                }

                if (from is null || to is null || Bytes(to) == Bytes(from))
                {
                    continue;
                }

                if (Bytes(to) < Bytes(from))
                {
                    refusals.Add(new FieldError(sizeField, $"{to} is smaller than the {from} the volumes have; a volume never shrinks"));
                    continue;
                }

                var prefix = $"{template.Metadata.Name}-{wanted.Metadata.Name}-";
                grow.AddRange(claims
                    .Where(c => c.Metadata.Name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(c.Metadata.Name.AsSpan(prefix.Length), out _))
                    .Where(c => Size(c) is not { } current || Bytes(current) < Bytes(to))
                    .OrderBy(c => c.Metadata.Name, StringComparer.Ordinal)
                    .Select(c => new ClaimGrowth(c.Metadata.Name, Size(c) ?? from, to, c.Spec.StorageClassName)));
            }

            if (refusals.Count == refusedBefore && (grow.Count > 0 || Grown(running, wanted)))
            {
                growths.Add(new StatefulSetGrowth(wanted.Metadata.Name, sizeField, grow));
            }
        }

        return (growths, refusals);
    }

    /// <summary>Bytes in a quantity (e.g. <c>100Gi</c>).</summary>
    public static decimal Bytes(ResourceQuantity quantity)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        return quantity.ToDecimal();
    }

    // The template asks for more than the running StatefulSet's: it must be re-created even when no claim exists yet.
    private static bool Grown(V1StatefulSet running, V1StatefulSet wanted) =>
        (wanted.Spec.VolumeClaimTemplates ?? []).Any(t =>
            running.Spec.VolumeClaimTemplates?.FirstOrDefault(r => r.Metadata.Name == t.Metadata.Name) is { } r
            && Size(r) is { } from && Size(t) is { } to && Bytes(to) > Bytes(from));

    private static ResourceQuantity? Size(V1PersistentVolumeClaim claim) =>
        claim.Spec?.Resources?.Requests is { } requests && requests.TryGetValue("storage", out var size) ? size : null;

    private static (string Size, string? Class) Fields(V1Alpha1MetricsStack stack, string statefulSet) =>
        statefulSet == StackNames.InfluxDb(stack)
            ? ("spec.influxdb.storage.size", "spec.influxdb.storage.storageClassName")
            : ("spec.telegraf.diskBuffer.size", null);

    private static string Named(string? storageClass) => storageClass is null ? "(the cluster's default)" : $"\"{storageClass}\"";
}

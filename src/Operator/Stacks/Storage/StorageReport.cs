using System.Globalization;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks.Storage;

/// <summary>
/// StorageReady: whether every data claim of the stack has the size it asks for. A claim whose request exceeds its
/// capacity is being resized (the volume first, then, for most drivers, the file system when the pod next mounts it:
/// the claim's <c>FileSystemResizePending</c> condition). A claim that has not reported a capacity yet (not bound) is not
/// counted here; the workload's own condition waits for it. Pure.
/// </summary>
public static class StorageReport
{
    /// <summary>Reasons of StorageReady.</summary>
    public static class Reasons
    {
        /// <summary>Every claim has its requested size.</summary>
        public const string Sized = "Sized";

        /// <summary>A claim is growing; the message quotes its conditions.</summary>
        public const string Resizing = "Resizing";

        /// <summary>InfluxDB's data uses at least spec.influxdb.storage.warnAtPercent of its volume.</summary>
        public const string NearlyFull = "StorageNearlyFull";

        /// <summary>A volume cannot grow (its StorageClass forbids expansion, or the API server refused): the message says what to do.</summary>
        public const string VolumeExpansionRefused = "VolumeExpansionRefused";
    }

    /// <summary>StorageReady from the stack's claims (those carrying its stack label).</summary>
    public static ConditionReport From(V1Alpha1MetricsStack stack, IEnumerable<V1PersistentVolumeClaim> claims)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(claims);
        var resizing = claims
            .Where(c => c.Metadata.Labels?.TryGetValue(StackLabels.Stack, out var owner) == true && owner == stack.Metadata.Name)
            .Select(c => (Claim: c, Requested: Quantity(c.Spec?.Resources?.Requests), Capacity: Quantity(c.Status?.Capacity)))
            .Where(c => c.Requested is not null && c.Capacity is not null && c.Requested.ToDecimal() > c.Capacity.ToDecimal())
            .OrderBy(c => c.Claim.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        if (resizing.Count == 0)
        {
            return AllSized;
        }

        var parts = resizing.Select(c =>
        {
            var conditions = (c.Claim.Status?.Conditions ?? []).Where(k => k.Status == "True").Select(k => k.Type).ToList();
            return string.Create(CultureInfo.InvariantCulture, $"{c.Claim.Metadata.Name} {c.Capacity} → {c.Requested}") +
                (conditions.Count > 0 ? $" ({string.Join(", ", conditions)})" : "");
        });
        return new ConditionReport(MetricsStackConditions.StorageReady, ConditionSet.False, Reasons.Resizing, "Growing: " + string.Join("; ", parts) +
            (resizing.Any(c => c.Claim.Status?.Conditions?.Any(k => k.Type == "FileSystemResizePending" && k.Status == "True") == true)
                ? ". FileSystemResizePending: the file system grows when the pod mounts the volume again"
                : ""));
    }

    /// <summary>StorageReady=True when nothing more is known than that no claim is growing.</summary>
    public static ConditionReport AllSized { get; } = Sized("Every data volume has the size the spec asks for");

    /// <summary>StorageReady=True with <paramref name="message"/>.</summary>
    public static ConditionReport Sized(string message) =>
        new(MetricsStackConditions.StorageReady, ConditionSet.True, Reasons.Sized, message);

    private static ResourceQuantity? Quantity(IDictionary<string, ResourceQuantity>? resources) =>
        resources is not null && resources.TryGetValue("storage", out var size) ? size : null;
}

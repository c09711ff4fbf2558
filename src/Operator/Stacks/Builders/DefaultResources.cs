using k8s.Models;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Requests and limits per component when the spec gives none. When the spec gives requests or limits, those
/// replace the defaults for that part as a whole, so a given request is never paired with a smaller default limit.
/// </summary>
public static class DefaultResources
{
    /// <summary>InfluxDB: the TSM engine caches and compacts in memory; a shared bucket for an environment fits in 4Gi.</summary>
    public static V1ResourceRequirements InfluxDb(Crds.ResourceRequirements? spec) =>
        Resolve(spec, ("500m", "1Gi"), ("2", "4Gi"));

    /// <summary>Telegraf: a forwarder; its memory is the metric buffer (metric_buffer_limit), the rest is small.</summary>
    public static V1ResourceRequirements Telegraf(Crds.ResourceRequirements? spec) =>
        Resolve(spec, ("100m", "128Mi"), ("1", "512Mi"));

    /// <summary>Grafana: dashboards and alert evaluation for one environment.</summary>
    public static V1ResourceRequirements Grafana(Crds.ResourceRequirements? spec) =>
        Resolve(spec, ("100m", "256Mi"), ("1", "1Gi"));

    /// <summary>
    /// Trickster: a proxy whose memory is its cache when the cache kind is memory; the default limit fits the default
    /// 256Mi cache with Go's garbage collector's headroom (StackValidation checks a larger cache against the limit).
    /// </summary>
    public static V1ResourceRequirements Trickster(Crds.ResourceRequirements? spec) =>
        Resolve(spec, ("50m", "128Mi"), ("1", "512Mi"));

    private static V1ResourceRequirements Resolve(Crds.ResourceRequirements? spec, (string Cpu, string Memory) requests, (string Cpu, string Memory) limits)
    {
        var given = spec?.Requests is { Count: > 0 } || spec?.Limits is { Count: > 0 };
        return new V1ResourceRequirements
        {
            Requests = given ? Sorted(spec!.Requests) : Quantities(requests),
            Limits = given ? Sorted(spec!.Limits) : Quantities(limits),
        };
    }

    private static SortedDictionary<string, ResourceQuantity> Quantities((string Cpu, string Memory) values) =>
        new(StringComparer.Ordinal)
        {
            ["cpu"] = new ResourceQuantity(values.Cpu),
            ["memory"] = new ResourceQuantity(values.Memory),
        };

    private static SortedDictionary<string, ResourceQuantity>? Sorted(IDictionary<string, ResourceQuantity>? values) =>
        values is { Count: > 0 } ? new SortedDictionary<string, ResourceQuantity>(values, StringComparer.Ordinal) : null;
}

using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks;

/// <summary>
/// The dashboard cache's rules the CRD schema cannot express: it needs the managed Grafana and the InfluxQL datasource,
/// a claim mounts on one pod, and an in-memory cache must fit under the pod's memory limit. Pure: spec in, field errors out.
/// </summary>
public static class DashboardCacheValidation
{
    private const string Path = "spec.grafana.cache";

    /// <summary>Every error of <paramref name="grafana"/>'s cache (defaults applied); none when it is off.</summary>
    public static IEnumerable<FieldError> Errors(DefaultedGrafana grafana)
    {
        ArgumentNullException.ThrowIfNull(grafana);
        var cache = grafana.Cache;
        if (!cache.Enabled)
        {
            yield break;
        }

        if (grafana.Mode == GrafanaMode.External)
        {
            yield return new FieldError($"{Path}.enabled", "needs spec.grafana.mode managed: the cache is a datasource the operator provisions in its own Grafana, and an external Grafana's datasources are not the operator's to switch");
        }

        if (!grafana.Datasources.InfluxQL)
        {
            yield return new FieldError($"{Path}.enabled", "needs spec.grafana.datasources.influxql: only the InfluxQL datasource is cached (Trickster gives invalid data for Flux queries with more than one from(), so Flux stays direct)");
        }

        if (cache.UsesClaim && cache.Replicas > 1)
        {
            yield return new FieldError($"{Path}.replicas", $"{cache.Replicas} pods cannot share a {KindName(cache.Kind)} cache: it lives on one ReadWriteOnce claim, which one pod mounts; use 1, or kind memory for more");
        }

        var memoryLimit = DefaultResources.Trickster(cache.Resources).Limits?.TryGetValue("memory", out var limit) == true ? limit : null;
        if (cache.Kind == DashboardCacheKind.Memory && memoryLimit is not null
            && cache.Size.ToDecimal() * 2 > memoryLimit.ToDecimal())
        {
            // Go's garbage collector (GOGC=100) lets the heap grow to about twice the live data before it collects.
            yield return new FieldError($"{Path}.size", $"a {cache.Size} memory cache needs a memory limit of at least twice that (Go's garbage collector lets the heap reach about twice the live data); the limit is {memoryLimit}: raise {Path}.resources.limits.memory, lower the size, or use kind filesystem");
        }
    }

    private static string KindName(DashboardCacheKind kind) => kind == DashboardCacheKind.Bbolt ? "bbolt" : "filesystem";
}

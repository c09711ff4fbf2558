using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Trickster's <c>trickster.yaml</c> for a stack: one cache and one backend of provider <c>influxdb</c> whose origin is
/// the stack's InfluxDB. It holds no token: Trickster forwards the client's <c>Authorization</c> header to the origin
/// (it strips only hop-by-hop headers, pkg/proxy/headers/forwarding.go) and makes it part of the cache key
/// (pkg/proxy/engines/key.go), so Grafana's cached datasource sends its read token as the direct one does, and
/// Trickster's health check of an InfluxDB backend is <c>/ping</c>, which needs none (../shared/contracts/trickster/health.md).
/// Every option written here is declared in Trickster's example.full.yaml (TricksterOptionTests).
/// </summary>
public static class TricksterConfigRenderer
{
    /// <summary>The file name in the ConfigMap and under <see cref="ConfigDirectory"/>.</summary>
    public const string FileName = "trickster.yaml";

    /// <summary>Where the ConfigMap is mounted.</summary>
    public const string ConfigDirectory = "/etc/trickster";

    /// <summary>Where a filesystem or bbolt cache's claim is mounted.</summary>
    public const string CacheDirectory = "/var/cache/trickster";

    /// <summary>The one backend's name: Grafana reaches it as the default backend, so the name appears only in Trickster's metrics and purge paths.</summary>
    public const string BackendName = "influxdb";

    private const string CacheName = "default";

    // Points newer than this are re-fetched on every request instead of being cached for good: Telegraf delivers a
    // point up to one flush interval (10s by default) plus jitter after its timestamp, so the newest minute of a
    // range may still be filling in.
    private const string BackfillTolerance = "60s";

    /// <summary>The configuration file for <paramref name="stack"/> (defaults applied).</summary>
    public static string Render(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var cache = stack.Grafana.Cache;
        var file = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["caches"] = new Dictionary<string, object> { [CacheName] = Cache(cache) },
            ["backends"] = new Dictionary<string, object>
            {
                [BackendName] = new SortedDictionary<string, object>(StringComparer.Ordinal)
                {
                    ["provider"] = "influxdb",
                    ["origin_url"] = StackNames.InfluxDbUrl(stack),
                    ["is_default"] = true,
                    ["cache_name"] = CacheName,
                    ["timeseries_retention_factor"] = cache.MaxPointsPerQuery,
                    ["backfill_tolerance"] = BackfillTolerance,
                },
            },
            ["logging"] = new Dictionary<string, object> { ["log_level"] = "info" },
        };
        return PlainYaml.Write(file);
    }

    /// <summary>The bytes the cache may hold: all of <c>size</c> in memory, 90% of a claim (the index evicts above a soft threshold, and a full disk fails writes).</summary>
    public static long IndexBytes(DefaultedDashboardCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var size = (long)cache.Size.ToDecimal();
        return cache.UsesClaim ? size / 10 * 9 : size;
    }

    private static SortedDictionary<string, object> Cache(DefaultedDashboardCache cache)
    {
        var bytes = IndexBytes(cache);
        var section = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["index"] = new Dictionary<string, object> { ["max_size_bytes"] = bytes },
        };
        switch (cache.Kind)
        {
            case DashboardCacheKind.Filesystem:
                section["provider"] = "filesystem";
                section["filesystem"] = new Dictionary<string, object> { ["cache_path"] = CacheDirectory };
                break;
            case DashboardCacheKind.Bbolt:
                section["provider"] = "bbolt";
                section["bbolt"] = new Dictionary<string, object> { ["filename"] = CacheDirectory + "/trickster.db" };
                break;
            default:
                section["provider"] = "memory";
                // Enforced at admission, unlike the index's soft threshold: the pod's memory stays bounded.
                section["memory"] = new Dictionary<string, object> { ["max_size_bytes"] = bytes };
                break;
        }

        return section;
    }

}

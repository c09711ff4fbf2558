using System.Globalization;

namespace MetricsOperator.E2E;

/// <summary>The targets of ../shared/DESIGN.md, line by line, against one run's figures.</summary>
internal static class Targets
{
    /// <summary>Each target with what was measured and whether it was met; null when this run did not measure it (no restarts).</summary>
    public static IReadOnlyList<(string Target, string Measured, bool? Met)> Check(Figures f, BenchSize size) =>
    [
        ($"{size.Alerts} AppAlerts x {size.Rules} rules fully synced < 10 s", Seconds(f.AlertsSyncedSeconds) + $" (the control plane's own CPU for it, spread over this machine's cores: {Seconds(f.ControlPlaneFloorSeconds)})", f.AlertsSyncedSeconds < 10),
        ("edit reaches Grafana p50 < 1 s", Ms(f.EditP50Ms) + $" (p99 {Ms(f.EditP99Ms)})", f.EditP50Ms < 1000),
        ("idle resync: zero writes to API server, Grafana, InfluxDB", $"{f.IdleApiWrites} API server + {f.IdleWrites} fake writes", f.IdleApiWrites == 0 && f.IdleWrites == 0),
        ($"idle resync of {size.Alerts} AppAlerts: <= 5 Grafana requests in total", f.IdleGrafanaRequests.ToString(CultureInfo.InvariantCulture), f.IdleGrafanaRequests <= 5),
        ($"operator RSS < 64 MiB with {size.Alerts + size.Stacks} CRs (peak VmHWM)", MiB(f.PeakRssMiB) + $" (after sync {MiB(f.LoadedRssMiB)})", f.PeakRssMiB < 64),
        ("startup < 300 ms (process start to first reconcile's write)", Ms(f.FirstReconcileMs) + $" (/healthz {Ms(f.HealthzMs)})", f.FirstReconcileMs < 300),
        // 1 MiB: what a full GC leaves unsettled run to run (allocator arenas, JIT'd code); a leak per reconnect is more.
        ($"no RSS growth across {size.Restarts} API server restarts after a full GC (< 1 MiB; after one settling restart; {size.SettlingGcs} full GCs 2 s apart)", $"{f.RssAfterRestartsMiB - f.RssBeforeRestartsMiB:+0.0;-0.0;+0.0} MiB ({MiB(f.RssBeforeRestartsMiB)} -> {MiB(f.RssAfterRestartsMiB)}; managed heap {MiB(f.HeapBeforeRestartsMiB)} -> {MiB(f.HeapAfterRestartsMiB)})", size.Restarts == 0 ? null : f.RssAfterRestartsMiB - f.RssBeforeRestartsMiB < 1),
        ("no contract violations at the fakes", f.ContractViolations.ToString(CultureInfo.InvariantCulture), f.ContractViolations == 0),
    ];

    private static string Seconds(double s) => string.Create(CultureInfo.InvariantCulture, $"{s:F2} s");

    private static string Ms(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms:F0} ms");

    private static string MiB(double m) => string.Create(CultureInfo.InvariantCulture, $"{m:F1} MiB");
}

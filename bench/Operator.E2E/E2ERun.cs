using System.Diagnostics;
using System.Globalization;
using MetricsOperator.Fakes.Contracts;
using MetricsOperator.TestSupport;

namespace MetricsOperator.E2E;

/// <summary>
/// One run, start to end, on a fresh control plane: stacks applied, the published operator started, AppAlerts applied,
/// everything waited for through the API server, an idle resync counted, edits timed to the Grafana fake's receipt,
/// API server restarts, and the operator's memory read from /proc.
/// </summary>
internal sealed class E2ERun(string repository, string published, BenchSize size, TextWriter output, string? gcdumpFolder = null, string? operatorLog = null)
{
    // How often /readyz is asked while the API server restarts. Every 5 ms (what times startup) made the operator serve
    // 200 requests a second through each restart, a load of the benchmark's making (a kubelet asks every 10 s).
    private static readonly TimeSpan RestartProbeInterval = TimeSpan.FromMilliseconds(100);

    private const int ShippedWorkers = 2; // run --workers default (src/Operator/Cli/RunCommand.cs)

    private static readonly string[] WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];

    public async Task<Figures> RunAsync(RuntimeVariant run, CancellationToken cancellationToken)
    {
        var variant = run.Name;
        await using var cluster = await BenchCluster.StartAsync(repository, cancellationToken);
        await using var world = await SimulatedWorld.StartAsync();
        var load = new Load(cluster, world, size);
        await load.ApplyStacksAsync(cancellationToken);

        // Startup: process start to /healthz, and to the operator's first write the API server logged (its first reconcile's).
        var image = new Dictionary<string, string>(ImageEnvironment.Read(repository), StringComparer.Ordinal);
        foreach (var (name, value) in run.Environment)
        {
            image[name] = value;
        }

        await using var op = PublishedOperator.Start(published, cluster.OperatorKubeconfig, world.Influx.BaseUri, world.Grafana.BaseUri, size.Resync, image, run.Arguments ?? [], operatorLog);
        var healthz = await op.WaitForProbeAsync("/healthz", TimeSpan.FromSeconds(30));
        var writes = new List<DateTime>();
        var startup = new SortedDictionary<string, int>(StringComparer.Ordinal);
        while (writes.Count == 0)
        {
            Merge(startup, cluster.Audit.ReadNew(writes));
            if (writes.Count == 0)
            {
                await op.WaitForProbeAsync("/healthz", TimeSpan.FromSeconds(5)); // fails fast if the operator died
                await Task.Delay(20, cancellationToken);
            }
        }

        var firstReconcile = writes.Min() - op.StartedAt;
        var clock = Stopwatch.StartNew();
        await WaitAsync(load, s => s.StacksReady == size.Stacks, "stacks Ready", TimeSpan.FromMinutes(3), cancellationToken);
        var stacksReady = clock.Elapsed;

        // The stacks' pods are up: the kubelet stand-ins stop here, their pods staying Running. They poll (each lists its
        // namespace's workloads, pods and claims every 500 ms), where a real kubelet watches the pods bound to its node
        // and writes only when one changes: left on, ten of them read from the API server hundreds of times a second
        // all through the sync it measures.
        await world.StopKubeletsAsync();

        clock.Restart();
        var work = WorkBreakdown.Parse(await op.ScrapeMetricsAsync());
        var cpuBefore = op.CpuTime();
        var machineBefore = MachineCpu.Read();
        TimeSpan applied, synced;
        var syncedAlerts = await SyncedAlertsWatch.StartAsync(cluster.Admin, size.Rules, cancellationToken);
        await using (syncedAlerts)
        {
            await load.ApplyAlertsAsync(cancellationToken);
            applied = clock.Elapsed;
            await WaitForAlertsAsync(syncedAlerts, size.Alerts, TimeSpan.FromMinutes(10), cancellationToken);
            synced = clock.Elapsed;
        }

        var machineAfter = MachineCpu.Read();
        var machine = machineAfter.Since(machineBefore, synced);
        var controlPlaneCpu = machineAfter.SecondsOf(machineBefore, "kube-apiserver", "etcd");
        var controlPlaneFloor = controlPlaneCpu / Environment.ProcessorCount;
        var loaded = op.Memory();
        var syncCpu = op.CpuTime() - cpuBefore;
        var syncCpuPerAlert = syncCpu.TotalMilliseconds / Math.Max(1, size.Alerts);
        var workAfter = WorkBreakdown.Parse(await op.ScrapeMetricsAsync());
        foreach (var line in workAfter.Since(work, synced, Workers(run)))
        {
            output.WriteLine($"  [{variant}] {line}");
        }

        output.WriteLine($"  [{variant}] reconciles by result: {workAfter.ResultsSince(work)}");
        output.WriteLine($"  [{variant}] CPU over the sync: {machine}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{variant}] the control plane (kube-apiserver, etcd) used {controlPlaneCpu:F1} s of CPU for the sync: with the writes it took, no sync could take less than {controlPlaneFloor:F1} s on this machine's {Environment.ProcessorCount} cores"));
        var servers = new Dictionary<int, string>
        {
            [cluster.Plane.SecurePort] = "the API server",
            [world.Grafana.BaseUri.Port] = "Grafana",
            [world.Influx.BaseUri.Port] = "InfluxDB",
        };
        foreach (var line in workAfter.RequestsSince(work, servers))
        {
            output.WriteLine($"  [{variant}] {line}");
        }

        var toSync = cluster.Audit.ReadNew();
        Merge(toSync, startup);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{variant}] start to /healthz {(healthz - op.StartedAt).TotalMilliseconds:F0} ms, to first reconcile (first write) {firstReconcile.TotalMilliseconds:F0} ms, caches synced {(op.CachesSyncedAt - op.StartedAt)?.TotalMilliseconds:F0} ms"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{variant}] {size.Stacks} stacks Ready {stacksReady.TotalSeconds:F2} s after start; {size.Alerts} AppAlerts applied in {applied.TotalSeconds:F2} s, all Synced {synced.TotalSeconds:F2} s after the first apply, using {syncCpu.TotalSeconds:F1} s of the operator's CPU ({syncCpuPerAlert:F1} ms per AppAlert, {syncCpu / synced:P0} of one core); RSS then {loaded}, peak so far {loaded.Peak:F1} MiB"));
        output.WriteLine($"  [{variant}] API server requests by the operator to here, by verb: {AuditLog.Describe(AuditLog.ByVerb(toSync))}");
        output.WriteLine($"  [{variant}]   by verb and resource: {AuditLog.Describe(toSync)}");
        foreach (var (kind, count, example) in await load.QueryChecksAsync(cancellationToken))
        {
            output.WriteLine($"  [{variant}] rules whose query check says {kind}: {count} (e.g. \"{example}\")");
        }

        foreach (var (fake, counter) in new[] { ("InfluxDB", world.Influx.Requests), ("Grafana", world.Grafana.Requests) })
        {
            var slowest = counter.AnswerTimes().OrderByDescending(kv => kv.Value.Count * kv.Value.MeanMs).Take(4)
                .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value.Count} x {kv.Value.MeanMs:F1} ms"));
            output.WriteLine($"  [{variant}] {fake} fake's answer times (mean, most time in all first): {string.Join(", ", slowest)}");
        }

        var (influxAll, grafanaAll) = world.Requests();
        output.WriteLine($"  [{variant}] InfluxDB requests: {Describe(influxAll)}");
        output.WriteLine($"  [{variant}] Grafana requests: {Describe(grafanaAll)}");

        // Idle resync: one resync period (and a margin) with nothing changed.
        world.ResetRequests();
        cluster.Audit.ReadNew();
        var idleCpuBefore = op.CpuTime();
        var idleAllocatedBefore = AllocatedBytes(await op.ScrapeMetricsAsync());
        await Task.Delay(size.Resync + TimeSpan.FromSeconds(3), cancellationToken);
        var idleCpu = op.CpuTime() - idleCpuBefore;
        var idleAllocated = AllocatedBytes(await op.ScrapeMetricsAsync()) - idleAllocatedBefore;
        var idle = cluster.Audit.ReadNew();
        var (influxIdle, grafanaIdle) = world.Requests();
        var idleWrites = world.Influx.Requests.Writes + world.Grafana.Requests.Writes;
        output.WriteLine($"  [{variant}] idle resync ({size.Resync.TotalSeconds + 3:F0} s): API server {AuditLog.Describe(idle)}; InfluxDB {Describe(influxIdle)}; Grafana {Describe(grafanaIdle)}; operator CPU {idleCpu.TotalSeconds:F2} s ({idleCpu.TotalMilliseconds / Math.Max(1, size.Alerts + size.Stacks):F2} ms per CR: one resync reconciles each), managed allocations {idleAllocated / 1024.0 / 1024.0:F1} MiB ({idleAllocated / 1024.0 / Math.Max(1, size.Alerts + size.Stacks):F0} KiB per CR); peak so far {op.Memory().Peak:F1} MiB");

        var editCpuBefore = op.CpuTime();
        var (p50, p99) = await EditLatencyAsync(load, world, cancellationToken);
        var editCpuPerEdit = (op.CpuTime() - editCpuBefore).TotalMilliseconds / Math.Max(1, size.Edits);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{variant}] edit -> Grafana fake receipt over {size.Edits} edits: p50 {p50:F1} ms, p99 {p99:F1} ms; operator CPU {editCpuPerEdit:F1} ms per edit; peak so far {op.Memory().Peak:F1} MiB"));

        // Restarts: the operator's watches break and resume (the kubelet stand-ins stopped once the stacks were Ready).
        // One restart first, measured on its own and not counted: a process pays some things once, on its first lost
        // connection (the Native AOT runtime builds its 1.1 MiB table of method names the first time a stack trace is
        // made text, which something on this path does; docs/performance.md, eleventh pass). The target is about what
        // every further restart leaves behind.
        var peaks = new List<double>();
        if (size.Restarts > 0)
        {
            var (gcSettle, settle, settleMap, _) = await op.AfterFullGcsAsync(size.SettlingGcs, cancellationToken);
            await RestartApiServerAsync();
            var (gcSettled, settled, settledMap, _) = await op.AfterFullGcsAsync(size.SettlingGcs, cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{variant}] first restart (settling, not counted below): RSS after {size.SettlingGcs} full GCs {settle.Rss:F1} -> {settled.Rss:F1} MiB ({settled.Rss - settle.Rss:+0.0;-0.0;+0.0}), live objects {gcSettle.LiveMiB:F1} -> {gcSettled.LiveMiB:F1} MiB, large object heap {gcSettle.LohMiB:F1} -> {gcSettled.LohMiB:F1} MiB; by where it lies: {settleMap.Against(settledMap)}"));
        }

        var settledBefore = await op.AfterFullGcsAsync(size.SettlingGcs, cancellationToken);
        var (gcBefore, before) = (settledBefore.Gc, settledBefore.Memory);
        await op.GcDumpAsync(gcdumpFolder, $"{variant}-before-restarts", output);
        cluster.Audit.ReadNew();
        world.ResetRequests();
        var restartCpuBefore = op.CpuTime();
        await using var gcWatch = op.WatchGcs();
        for (var i = 0; i < size.Restarts; i++)
        {
            await RestartApiServerAsync();
            peaks.Add(op.Memory().Peak);
        }

        var restartGcs = await gcWatch.StopAsync();

        if (size.Restarts > 0)
        {
            // What the operator did while its watches broke and resumed, and when its peak moved: the restart peak
            // varies by run, and these say whether it came with work (relists, reconciles, Grafana requests) or without.
            var restartCpu = op.CpuTime() - restartCpuBefore;
            var (influxRestarts, grafanaRestarts) = world.Requests();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{variant}] during the restarts: API server {AuditLog.Describe(cluster.Audit.ReadNew())}; InfluxDB {Describe(influxRestarts)}; Grafana {Describe(grafanaRestarts)}; operator CPU {restartCpu.TotalSeconds:F2} s; {restartGcs}; peak after each restart {string.Join(", ", peaks.Select(p => p.ToString("F1", CultureInfo.InvariantCulture)))} MiB"));
        }

        var settledAfter = await op.AfterFullGcsAsync(size.SettlingGcs, cancellationToken);
        var (gcAfter, after) = (settledAfter.Gc, settledAfter.Memory);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{variant}] RSS across the {size.Restarts} counted restarts by where it lies: {settledBefore.Map.Against(settledAfter.Map)}; RSS/live objects after each GC, MiB: {settledBefore.SeriesText} before, {settledAfter.SeriesText} after"));
        await op.GcDumpAsync(gcdumpFolder, $"{variant}-after-{size.Restarts}-restarts", output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{variant}] RSS after {size.SettlingGcs} full GCs: {before} before {size.Restarts} API server restarts, {after} after; peak (VmHWM) {after.Peak:F1} MiB ({before.Peak:F1} MiB before the restarts)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{variant}] managed heap after the last GC: {gcBefore.HeapMiB:F1} MiB before, {gcAfter.HeapMiB:F1} MiB after (gen-2 GCs seen: {gcBefore.Gen2Collections}, {gcAfter.Gen2Collections}); live objects {gcBefore.LiveMiB:F1} -> {gcAfter.LiveMiB:F1} MiB, large object heap {gcBefore.LohMiB:F1} -> {gcAfter.LohMiB:F1} MiB"));

        var violations = world.Grafana.Contract.All.Count + world.Influx.Contract.All.Count;
        return new Figures
        {
            Variant = variant,
            HealthzMs = (healthz - op.StartedAt).TotalMilliseconds,
            FirstReconcileMs = firstReconcile.TotalMilliseconds,
            StacksReadySeconds = stacksReady.TotalSeconds,
            AlertsSyncedSeconds = synced.TotalSeconds,
            ControlPlaneFloorSeconds = controlPlaneFloor,
            EditP50Ms = p50,
            EditP99Ms = p99,
            SyncCpuMsPerAlert = syncCpuPerAlert,
            EditCpuMs = editCpuPerEdit,
            PeakRssMiB = after.Peak,
            LoadedRssMiB = loaded.Rss,
            RssBeforeRestartsMiB = before.Rss,
            RssAfterRestartsMiB = after.Rss,
            HeapBeforeRestartsMiB = gcBefore.HeapMiB,
            HeapAfterRestartsMiB = gcAfter.HeapMiB,
            IdleApiRequests = idle.Values.Sum(),
            IdleApiWrites = idle.Where(kv => WriteVerbs.Contains(kv.Key.Split(' ')[0])).Sum(kv => kv.Value),
            IdleGrafanaRequests = grafanaIdle.Values.Sum(),
            IdleWrites = idleWrites,
            ContractViolations = violations,
        };

        async Task RestartApiServerAsync()
        {
            await cluster.Plane.StopApiServerAsync();
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            try
            {
                await cluster.Plane.StartApiServerAsync(cancellationToken);
            }
            catch (TimeoutException)
            {
                // Not ready within the plane's 60 s on a machine loaded by other builds: it is still starting, and the
                // operator's /readyz below waits for it (and for the operator's caches) a while longer.
            }

            await op.WaitForProbeAsync("/readyz", TimeSpan.FromSeconds(180), RestartProbeInterval);
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        }
    }

    // From just before the API server write to the moment the Grafana fake holds the new threshold (polled every
    // millisecond in this process, so each figure is at most ~1 ms late): watch, queue, reconcile and the group PUT.
    private async Task<(double P50, double P99)> EditLatencyAsync(Load load, SimulatedWorld world, CancellationToken cancellationToken)
    {
        var random = new Random(23);
        var latencies = new List<double>();
        for (var k = 0; k < size.Edits; k++)
        {
            var i = random.Next(size.Alerts);
            var alert = await load.ReadAlertAsync(i, cancellationToken);
            var uid = alert.Status?.Rules?.FirstOrDefault(r => r.Name == alert.Spec.Rules[0].Name)?.Uid
                ?? throw new InvalidOperationException($"AppAlert {alert.Metadata.Name} has no UID for its first rule in status");
            var threshold = 900_000 + k;
            var marker = threshold.ToString(CultureInfo.InvariantCulture);
            var clock = Stopwatch.StartNew();
            await load.EditThresholdAsync(i, threshold, cancellationToken);
            while (world.Grafana.State.Rule(uid)?.ToJsonString().Contains(marker, StringComparison.Ordinal) != true)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"edit {k} of {alert.Metadata.NamespaceProperty}/{alert.Metadata.Name} did not reach Grafana in 60 s");
                }

                await Task.Delay(1, cancellationToken);
            }

            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }

        latencies.Sort();
        return (Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    // Reconcile workers per controller: the operator's --workers argument when the variant sets it, else what ships.
    private static int Workers(RuntimeVariant run)
    {
        var args = run.Arguments ?? [];
        for (var i = 0; i + 1 < args.Count; i++)
        {
            if (args[i] == "--workers")
            {
                return int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        return ShippedWorkers;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task WaitAsync(Load load, Func<(int StacksReady, int AlertsSynced), bool> done, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var state = await load.CountDoneAsync(cancellationToken);
            if (done(state))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: not within {timeout} ({state.StacksReady} stacks Ready, {state.AlertsSynced} AppAlerts synced)");
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    private static async Task WaitForAlertsAsync(SyncedAlertsWatch watch, int alerts, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (watch.Synced < alerts)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"AppAlerts synced: not within {timeout} ({watch.Synced} synced)");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>
    /// Bytes the operator allocated on its managed heap since it started: .NET's own
    /// <c>dotnet.gc.heap.total_allocated</c>, which the operator's /metrics exports.
    /// </summary>
    private static double AllocatedBytes(string metrics)
    {
        const string Name = "system_runtime_dotnet_gc_heap_total_allocated ";
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(Name, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"the operator's /metrics has no {Name.Trim()}");
        return double.Parse(line[Name.Length..], CultureInfo.InvariantCulture);
    }

    private static string Describe(IReadOnlyDictionary<string, long> counts) =>
        counts.Count == 0 ? "0" : $"{counts.Values.Sum()} ({string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}"))})";

    private static void Merge(SortedDictionary<string, int> into, IReadOnlyDictionary<string, int> more)
    {
        foreach (var (key, n) in more)
        {
            into[key] = into.GetValueOrDefault(key) + n;
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using k8s;
using k8s.Models;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Bench;
using MetricsOperator.Runtime.Cache;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Runtime.Reconcile;

// The controller runtime on a local control plane (etcd + kube-apiserver 1.20.2), in one run:
//   1. N Widgets exist; a manager starts (For<Widget>().Owns<ConfigMap>(), a trivial reconciler: one SSA'd ConfigMap,
//      Ready + observedGeneration in status): startup until the caches synced, time until every Widget is converged,
//      requests by verb per reconcile, RSS and managed heap;
//   2. a no-op resync (every cached object handed over again): time, requests (goal: zero writes), RSS;
//   3. the API server is stopped and started K times: recovery time, RSS and heap after each (goal: no growth);
//   4. a fresh manager over the converged state (an operator restart): startup and writes (goal: zero).
//   dotnet run -c Release --project bench/Runtime.Bench -- [--count 1000] [--workers 2] [--resync 5] [--reconnects 5]
var settings = Settings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine("usage: Runtime.Bench [--count 1000] [--workers 2] [--resync 5] [--reconnects 5]");
    return 2;
}

const string Ns = "bench";
const double MiB = MemorySampler.MiB;
var count = settings.Count;
var inv = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(inv,
    $"Runtime benchmark: {count} Widgets, {settings.Workers} workers, resync every {settings.Resync.TotalSeconds:F0} s, {settings.Reconnects} API server restarts; " +
    $"{Environment.ProcessorCount} CPUs, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, .NET {Environment.Version}, load average {LoadAverage()}"));

var clock = Stopwatch.StartNew();
await using var plane = await LocalControlPlane.StartAsync();
Console.WriteLine(string.Create(inv, $"control plane up in {clock.Elapsed.TotalSeconds:F1} s ({plane.Server})"));

// Arrange with an admin client: the CRD, a namespace, N Widgets (8 concurrent creates).
var adminClient = NewClient(plane);
using var admin = new KubeApi(adminClient, ownsClient: true);
await adminClient.ApiextensionsV1.CreateCustomResourceDefinitionAsync(BenchWidget.Definition());
await adminClient.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } });
await UntilAsync(
    async () =>
    {
        try
        {
            await admin.ListAsync<BenchWidget>(Ns, limit: 1);
            return true;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return false;
        }
    },
    "the Widget CRD is served",
    TimeSpan.FromSeconds(60));
clock.Restart();
await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
    await admin.CreateAsync(BenchWidget.Named(Ns, WidgetName(i), "hello " + i), ct));
Console.WriteLine(string.Create(inv, $"created {count} Widgets in {clock.Elapsed.TotalSeconds:F1} s"));

// The operator side starts here: collect the arranging garbage and restart the kernel's RSS high-water mark, so
// "peak RSS" is the manager's, as in a fresh operator process.
FullGc();
var hwmReset = ResetPeakRss();
var baselineRss = Environment.WorkingSet;
var baselineHeap = GC.GetTotalMemory(false);
Console.WriteLine(string.Create(inv,
    $"baseline before the manager: RSS {baselineRss / MiB:F1} MiB, heap {baselineHeap / MiB:F1} MiB, GC committed {Committed() / MiB:F1} MiB, {Threads()} threads, RssAnon {MemorySampler.RssParts().Anon / MiB:F1} MiB, RssFile {MemorySampler.RssParts().File / MiB:F1} MiB; peak RSS counted {(hwmReset ? "from here (VmHWM reset)" : "from process start (VmHWM reset refused)")}"));

await using var sampler = new MemorySampler();
var rows = new List<Row>();
var managerOptions = new ManagerOptions
{
    Namespace = Ns,
    Workers = settings.Workers,
    ResyncPeriod = settings.Resync,
    // Reconnect backoff capped at 4 s instead of 30 s only so that K restarts do not take minutes.
    Informers = new InformerOptions { MaxBackoff = TimeSpan.FromSeconds(4) },
};

// 1. Startup and the first reconcile of every Widget.
var op = StartOperator(plane, managerOptions);
clock.Restart();
op.Start();
await WaitForAsync(() => op.Manager.IsReady || op.Run!.IsCompleted, "the caches synced", TimeSpan.FromSeconds(60), pollMs: 2);
var startup = clock.Elapsed;
var startupRequests = op.Counter.Snapshot();
var startupMemory = sampler.TakeWindow();
rows.Add(new Row($"startup: caches synced ({count} Widgets)", startup, startupRequests, 0, startupMemory));
await WaitForAsync(() => CountConverged(op.Manager) == count, $"all {count} Widgets converged", TimeSpan.FromMinutes(10), pollMs: 20);
var converged = clock.Elapsed;
await WaitIdleAsync(op);
var initial = op.Counter.Snapshot() - startupRequests;
var initialReconciles = op.Reconciler.Reconciles;
var initialMemory = sampler.TakeWindow();
rows.Add(new Row($"reconcile all {count} (synced to converged)", converged - startup, initial, initialReconciles, initialMemory));
Console.WriteLine(string.Create(inv,
    $"initial: {op.Reconciler.Reconciles} reconciles for {count} Widgets ({op.Reconciler.Applies} ConfigMap applies, {op.Reconciler.StatusWrites} status patches), " +
    $"{op.Resyncs.Count / count} Widget resync tick(s) fell inside"));

// 2. A no-op resync: wait for the next tick of the Widget informer, then until its reconciles are done.
var beforeResync = op.Counter.Snapshot();
var reconcilesBefore = op.Reconciler.Reconciles;
var resyncsBefore = op.Resyncs.Count;
op.Resyncs.MarkWindow();
sampler.TakeWindow();
await WaitForAsync(() => op.Resyncs.Count >= resyncsBefore + count, "a resync tick", settings.Resync * 3 + TimeSpan.FromSeconds(30));
await WaitForAsync(() => op.Reconciler.Reconciles >= reconcilesBefore + count, "the resync's reconciles", TimeSpan.FromMinutes(5));
await WaitIdleAsync(op);
var resync = op.Counter.Snapshot() - beforeResync;
var resyncTime = Stopwatch.GetElapsedTime(op.Resyncs.FirstInWindow, op.Reconciler.LastDone);
var resyncReconciles = op.Reconciler.Reconciles - reconcilesBefore;
var resyncMemory = sampler.TakeWindow();
rows.Add(new Row("no-op resync (tick to last reconcile)", resyncTime, resync, resyncReconciles, resyncMemory));

// 3. Watch reconnects: stop and start the API server; after each, a Widget edit must come through (the watches are
// back), then RSS, a full GC, heap and RSS again.
var informer = op.Manager.Cache.GetInformer<BenchWidget>();
var (lists0, watches0) = (informer.ListCount, informer.WatchCount);
var reconnects = new List<Reconnect>();
await WaitIdleAsync(op);
FullGc();
reconnects.Add(new Reconnect(0, TimeSpan.Zero, Environment.WorkingSet, Environment.WorkingSet, GC.GetTotalMemory(false), Committed(), MemorySampler.RssParts().Anon, Threads(), 0, 0, op.Counter.Snapshot()));
for (var i = 1; i <= settings.Reconnects; i++)
{
    var before = op.Counter.Snapshot();
    await plane.StopApiServerAsync();
    await Task.Delay(TimeSpan.FromSeconds(1));
    await plane.StartApiServerAsync();
    clock.Restart();
    var message = "after restart " + i;
    await UntilAsync(
        async () =>
        {
            try
            {
                await admin.PatchAsync<BenchWidget>(Ns, WidgetName(0), PatchType.Merge, System.Text.Json.JsonSerializer.Serialize(new { spec = new { message } }));
                return true;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        },
        "the probe edit was accepted",
        TimeSpan.FromSeconds(60),
        pollMs: 200);
    await WaitForAsync(
        () => op.Manager.Client.Get<BenchWidget>(new ObjectKey(Ns, WidgetName(0))) is { } w && w.Spec.Message == message && IsConverged(op.Manager, w),
        $"the probe edit after restart {i} reconciled",
        TimeSpan.FromMinutes(2),
        pollMs: 20);
    var recovered = clock.Elapsed;
    await WaitIdleAsync(op);
    var rss = Environment.WorkingSet;
    FullGc();
    reconnects.Add(new Reconnect(i, recovered, rss, Environment.WorkingSet, GC.GetTotalMemory(false), Committed(), MemorySampler.RssParts().Anon, Threads(), informer.ListCount - lists0, informer.WatchCount - watches0, op.Counter.Snapshot() - before));
}

var reconnectMemory = sampler.TakeWindow();
await op.DisposeAsync();

// 4. An operator restart over the converged state: a fresh manager, N Widgets and N ConfigMaps to cache, nothing to write.
FullGc();
await using var op2 = StartOperator(plane, managerOptions);
sampler.TakeWindow();
clock.Restart();
op2.Start();
await WaitForAsync(() => op2.Manager.IsReady || op2.Run!.IsCompleted, "the caches synced", TimeSpan.FromSeconds(60), pollMs: 2);
var restartStartup = clock.Elapsed;
var restartStartupRequests = op2.Counter.Snapshot();
await WaitForAsync(() => op2.Reconciler.Reconciles >= count, $"{count} reconciles after the restart", TimeSpan.FromMinutes(5));
await WaitIdleAsync(op2);
var restartMemory = sampler.TakeWindow();
rows.Add(new Row($"restart: caches synced ({count} + {count} ConfigMaps)", restartStartup, restartStartupRequests, 0, restartMemory));
var restartAll = op2.Counter.Snapshot();
rows.Add(new Row("restart: start to last reconcile", Stopwatch.GetElapsedTime(op2.StartedAt, op2.Reconciler.LastDone), restartAll - restartStartupRequests, op2.Reconciler.Reconciles, restartMemory));
var peakRss = MemorySampler.PeakRss();

// Report.
Console.WriteLine();
Console.WriteLine($"{"phase",-44} {"time",9} {"requests",8} {"writes",6} {"reconc.",7} {"req/rec",7} {"wr/rec",6} {"max RSS",8} {"max heap",8}  by verb");
foreach (var row in rows)
{
    Console.WriteLine(string.Create(inv,
        $"{row.Phase,-44} {Seconds(row.Time),9} {row.Requests.Total,8} {row.Requests.Writes,6} {row.Reconciles,7} {PerReconcile(row.Requests.Total, row.Reconciles),7} {PerReconcile(row.Requests.Writes, row.Reconciles),6} {row.Memory.Rss / MiB,4:F1} MiB {row.Memory.Heap / MiB,4:F1} MiB  {row.Requests}"));
}

Console.WriteLine();
Console.WriteLine($"{"API server restart",-18} {"recovered",9} {"RSS",9} {"RSS(GC)",9} {"heap(GC)",9} {"GC commit",9} {"RssAnon",9} {"threads",7} {"relists",7} {"watches",7}  requests");
foreach (var r in reconnects)
{
    Console.WriteLine(string.Create(inv,
        $"{(r.Index == 0 ? "before" : "#" + r.Index),-18} {(r.Index == 0 ? "-" : Seconds(r.Recovered)),9} {r.Rss / MiB,5:F1} MiB {r.RssAfterGc / MiB,5:F1} MiB {r.Heap / MiB,5:F1} MiB {r.Committed / MiB,5:F1} MiB {r.Anon / MiB,5:F1} MiB {r.Threads,7} {r.Relists,7} {r.Watches,7}  {(r.Index == 0 ? "-" : r.Requests.ToString())}"));
}

var perObject = initial.Total / (double)count;
var writesPerObject = initial.Writes / (double)count;
Console.WriteLine();
Console.WriteLine(string.Create(inv, $"requests/reconcile {initial.Total / (double)initialReconciles:F2} (writes {initial.Writes / (double)initialReconciles:F2}); per Widget {perObject:F2} (writes {writesPerObject:F2}); time to converge {Seconds(converged)} from start ({count / (converged - startup).TotalSeconds:F0} Widgets/s after sync)"));
Console.WriteLine(string.Create(inv, $"no-op resync writes {resync.Writes}, requests {resync.Total}, {resyncReconciles} reconciles in {Seconds(resyncTime)}"));
Console.WriteLine(string.Create(inv, $"restart writes {(restartAll - restartStartupRequests).Writes} ({op2.Reconciler.Reconciles} reconciles)"));
Console.WriteLine(string.Create(inv, $"RSS after reconnects: {string.Join(", ", reconnects.Skip(1).Select(r => (r.Rss / MiB).ToString("F0", inv)))} MiB (after a full GC: {string.Join(", ", reconnects.Skip(1).Select(r => (r.RssAfterGc / MiB).ToString("F0", inv)))} MiB); heap after GC: {string.Join(", ", reconnects.Skip(1).Select(r => (r.Heap / MiB).ToString("F1", inv)))} MiB; max RSS during restarts {reconnectMemory.Rss / MiB:F0} MiB"));
Console.WriteLine(string.Create(inv, $"peak RSS {peakRss / MiB:F0} MiB (VmHWM{(hwmReset ? " since the manager started" : " of the whole process")}); at the end RssAnon {MemorySampler.RssParts().Anon / MiB:F0} MiB, RssFile {MemorySampler.RssParts().File / MiB:F0} MiB, GC committed {Committed() / MiB:F0} MiB; load average now {LoadAverage()}"));

// Targets (DESIGN.md): RSS < 64 MiB with 1000 CRs, startup < 2 s, zero writes on a no-op resync, no growth across reconnects.
var first = reconnects.Count > 1 ? reconnects[1] : reconnects[0];
var last = reconnects[^1];
var heapGrowth = (last.Heap - first.Heap) / MiB;
var rssGrowth = (last.RssAfterGc - first.RssAfterGc) / MiB;
Console.WriteLine();
Console.WriteLine("targets:");
Verdict(peakRss / MiB < 64, string.Create(inv, $"peak RSS {peakRss / MiB:F0} MiB < 64 MiB with {count} CRs{(count == 1000 ? string.Empty : " (the target is for 1000)")}"));
Verdict(startup.TotalSeconds < 2, string.Create(inv, $"startup {Seconds(startup)} < 2 s (first start, {count} Widgets)"));
Verdict(restartStartup.TotalSeconds < 2, string.Create(inv, $"startup {Seconds(restartStartup)} < 2 s (restart, {count} Widgets + {count} ConfigMaps)"));
Verdict(resync.Writes == 0, $"no-op resync writes {resync.Writes} == 0");
Verdict((restartAll - restartStartupRequests).Writes == 0, $"restart writes {(restartAll - restartStartupRequests).Writes} == 0");
Verdict(heapGrowth < 1, string.Create(inv, $"no managed growth across {settings.Reconnects} reconnects: heap after a full GC {heapGrowth:+0.0;-0.0} MiB from restart 1 to {settings.Reconnects} (< 1 MiB)"));
Verdict(rssGrowth < 4, string.Create(inv, $"no RSS growth across {settings.Reconnects} reconnects: RSS after a full GC {rssGrowth:+0.0;-0.0} MiB from restart 1 to {settings.Reconnects} (< 4 MiB)"));
return 0;

static void Verdict(bool pass, string text) => Console.WriteLine($"  {(pass ? "PASS" : "MISS")}  {text}");

static string Seconds(TimeSpan t) => t.TotalSeconds.ToString(t.TotalSeconds < 10 ? "F2" : "F1", CultureInfo.InvariantCulture) + " s";

static string PerReconcile(long n, long reconciles) => reconciles == 0 ? "-" : (n / (double)reconciles).ToString("F2", CultureInfo.InvariantCulture);

static string WidgetName(int i) => "w-" + i.ToString("D5", CultureInfo.InvariantCulture);

static Kubernetes NewClient(LocalControlPlane plane, params DelegatingHandler[] handlers) =>
    new(new KubernetesClientConfiguration { Host = plane.Server.ToString(), AccessToken = plane.AdminToken, SkipTlsVerify = true }, handlers);

static Operator StartOperator(LocalControlPlane plane, ManagerOptions options)
{
    var counter = new VerbCounter([ResourceType.For<BenchWidget>().Plural, "configmaps", "events", "leases"]);
#pragma warning disable CA2000 // Operator owns and disposes the client.
    var api = new KubeApi(NewClient(plane, counter), ownsClient: true);
#pragma warning restore CA2000
    return new Operator(api, counter, options);
}

static bool IsConverged(Manager manager, BenchWidget w) =>
    w.Status is { } status
    && status.ObservedGeneration == w.Metadata.Generation
    && ConditionSet.IsTrue(status.Conditions, "Ready")
    && manager.Client.Get<V1ConfigMap>(ObjectKey.Of(w)) is { Data: { } data }
    && data.TryGetValue("message", out var message)
    && message == w.Spec.Message;

static int CountConverged(Manager manager) => manager.Cache.GetInformer<BenchWidget>().Store.List().Count(w => IsConverged(manager, w));

// Idle: nothing queued, nothing delayed, nothing running, and no reconcile finished in the last 500 ms.
static async Task WaitIdleAsync(Operator op)
{
    var quiet = TimeSpan.FromMilliseconds(500);
    await WaitForAsync(
        () => op.Controller.Queue.Count == 0
            && op.Controller.Queue.DelayedCount == 0
            && op.Reconciler.InFlight == 0
            && Stopwatch.GetElapsedTime(op.Reconciler.LastDone) > quiet,
        "the controller is idle",
        TimeSpan.FromMinutes(5));
}

static Task WaitForAsync(Func<bool> condition, string what, TimeSpan timeout, int pollMs = 50) =>
    UntilAsync(() => Task.FromResult(condition()), what, timeout, pollMs);

static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, int pollMs = 50)
{
    var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    while (!await condition())
    {
        if (Stopwatch.GetTimestamp() > deadline)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting until {what}.");
        }

        await Task.Delay(pollMs);
    }
}

static long Committed() => GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;

static int Threads()
{
    using var self = Process.GetCurrentProcess();
    return self.Threads.Count;
}

static void FullGc()
{
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
}

// Writing 5 to /proc/self/clear_refs resets VmHWM (Linux 4.0+).
static bool ResetPeakRss()
{
    try
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
        return true;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        return false;
    }
}

static string LoadAverage()
{
    try
    {
        return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "?";
    }
}

internal sealed record Row(string Phase, TimeSpan Time, RequestCounts Requests, long Reconciles, (long Rss, long Heap) Memory);

internal sealed record Reconnect(int Index, TimeSpan Recovered, long Rss, long RssAfterGc, long Heap, long Committed, long Anon, int Threads, long Relists, long Watches, RequestCounts Requests);

internal sealed record Settings(int Count, int Workers, TimeSpan Resync, int Reconnects)
{
    public static Settings? Parse(string[] args)
    {
        var values = new Dictionary<string, int>(StringComparer.Ordinal) { ["--count"] = 1000, ["--workers"] = 2, ["--resync"] = 5, ["--reconnects"] = 5 };
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!values.ContainsKey(args[i]) || i + 1 >= args.Length
                || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                return null;
            }

            values[args[i]] = value;
        }

        return new Settings(values["--count"], values["--workers"], TimeSpan.FromSeconds(values["--resync"]), values["--reconnects"]);
    }
}

/// <summary>Counts the Widget informer's Resync notifications and notes when the first one of a window arrived.</summary>
internal sealed class ResyncCounter
{
    private long count;
    private long first;

    public long Count => Interlocked.Read(ref count);

    /// <summary>Stopwatch timestamp of the first resync notification since <see cref="MarkWindow"/>.</summary>
    public long FirstInWindow => Interlocked.Read(ref first);

    public void MarkWindow() => Interlocked.Exchange(ref first, 0);

    /// <summary>A resync notification; only the primary's are <paramref name="counted"/>, both open the window.</summary>
    public void Hit(bool counted)
    {
        if (counted)
        {
            Interlocked.Increment(ref count);
        }

        Interlocked.CompareExchange(ref first, Stopwatch.GetTimestamp(), 0);
    }
}

/// <summary>A manager with the benchmark's controller, its counting client and its own metrics registry.</summary>
internal sealed class Operator : IAsyncDisposable
{
    private readonly KubeApi api;
    private readonly CancellationTokenSource stop = new();

    public Operator(KubeApi api, VerbCounter counter, ManagerOptions options)
    {
        this.api = api;
        Counter = counter;
        Manager = new Manager(api, options, metrics: new RuntimeMetrics(Prometheus.Metrics.NewCustomRegistry()));
        var manager = Manager;
        Reconciler = new BenchReconciler(() => manager.Client);
        Controller = Manager.NewController().For<BenchWidget>().Owns<V1ConfigMap>().Complete(Reconciler);
        Manager.Cache.GetInformer<BenchWidget>().AddHandler(e =>
        {
            if (e.Type == InformerEventType.Resync)
            {
                Resyncs.Hit(counted: true);
            }
        });
        Manager.Cache.GetInformer<V1ConfigMap>(Manager.Client.Options.ManagedBySelector).AddHandler(e =>
        {
            if (e.Type == InformerEventType.Resync)
            {
                Resyncs.Hit(counted: false);
            }
        });
    }

    public VerbCounter Counter { get; }

    public Manager Manager { get; }

    public BenchReconciler Reconciler { get; }

    public Controller<BenchWidget> Controller { get; }

    public ResyncCounter Resyncs { get; } = new();

    public Task? Run { get; private set; }

    public long StartedAt { get; private set; }

    public void Start()
    {
        StartedAt = Stopwatch.GetTimestamp();
        Run = Task.Run(() => Manager.RunAsync(stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
            if (Run is not null)
            {
                await Run.WaitAsync(TimeSpan.FromSeconds(30));
            }

            await Manager.DisposeAsync();
            api.Dispose();
            Counter.Dispose();
        }

        stop.Dispose();
    }
}

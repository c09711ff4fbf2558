using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Cache;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Reconcile;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Runtime.Tests.Integration;

public sealed class InformerHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly List<InformerEvent<V1ConfigMap>> events = [];
    private Task? run;

    public InformerHarness(ControlPlane plane, string ns, InformerOptions? options = null)
    {
        Counter = new CountingHandler();
        Api = new KubeApi(plane.CreateClient(Identity.Admin, Counter), ownsClient: true);
        Informer = new Informer<V1ConfigMap>(Api, (options ?? new InformerOptions()) with
        {
            Namespace = ns,
            ResyncPeriod = TimeSpan.Zero,
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromSeconds(1),
        });
        Informer.AddHandler(e =>
        {
            lock (events)
            {
                events.Add(e);
            }
        });
    }

    public CountingHandler Counter { get; }

    public KubeApi Api { get; }

    public Informer<V1ConfigMap> Informer { get; }

    public bool Saw(InformerEventType type, string name)
    {
        lock (events)
        {
            return events.Any(e => e.Type == type && e.Entity.Metadata.Name == name);
        }
    }

    public async Task StartAsync()
    {
        run = Task.Run(() => Informer.RunAsync(stop.Token));
        await Informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>True when the cache holds exactly what a fresh list returns (names and resourceVersions).</summary>
    public async Task<bool> CacheMatchesFreshListAsync(KubeApi admin, string ns)
    {
        var fresh = await admin.ListAsync<V1ConfigMap>(ns);
        var expected = fresh.Items.Select(c => c.Metadata.Name + "@" + c.Metadata.ResourceVersion).Order().ToList();
        var cached = Informer.Store.List().Select(c => c.Metadata.Name + "@" + c.Metadata.ResourceVersion).Order().ToList();
        return expected.SequenceEqual(cached);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (run is not null)
        {
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        Api.Dispose();
        stop.Dispose();
    }
}

internal static class Retry
{
    /// <summary>Retries an admin call that may hit a connection the restarted API server dropped.</summary>
    public static async Task<T> AsAdminAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (HttpRequestException) when (attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }
}

public sealed class InformerRestartTests
{
    [Fact]
    public async Task After_the_API_server_restarts_mid_watch_the_informer_recovers_without_losing_events()
    {
        await using var plane = await ControlPlane.StartPrivateAsync();
        var ns = await plane.CreateNamespaceAsync("inf");
        using var admin = new KubeApi(plane.CreateClient(Identity.Admin), ownsClient: true);
        for (var i = 0; i < 5; i++)
        {
            await admin.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i}", NamespaceProperty = ns } });
        }

        await using var harness = new InformerHarness(plane, ns);
        await harness.StartAsync();
        harness.Informer.Store.Count.ShouldBe(5);
        var watchesBefore = harness.Informer.WatchCount;

        await plane.Local!.StopApiServerAsync();
        await plane.Local.StartApiServerAsync();

        // Changes made as soon as the server is back, while the informer may still be waiting to reconnect.
        await Retry.AsAdminAsync(() => admin.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm-new", NamespaceProperty = ns } }));
        await Retry.AsAdminAsync(() => admin.DeleteAsync<V1ConfigMap>(ns, "cm-0"));
        await Retry.AsAdminAsync(() => admin.PatchAsync<V1ConfigMap>(ns, "cm-1", PatchType.Merge, """{"data":{"k":"v"}}"""));

        await Eventually.UntilAsync(() => harness.CacheMatchesFreshListAsync(admin, ns), "the cache equals a fresh list", TimeSpan.FromSeconds(30));
        harness.Saw(InformerEventType.Added, "cm-new").ShouldBeTrue();
        harness.Saw(InformerEventType.Deleted, "cm-0").ShouldBeTrue();
        harness.Saw(InformerEventType.Updated, "cm-1").ShouldBeTrue();
        harness.Informer.WatchCount.ShouldBeGreaterThan(watchesBefore, "the informer reconnected");
        // Kube-apiserver 1.20 resumes the watch from our resourceVersion after its restart (no 410 here); if it did
        // answer 410 the informer would relist, which A_watch_error_event_410_leads_to_a_relist covers.
    }
}

[Collection(SharedPlaneGroup.Name)]
public sealed class InformerRelistTests(SharedPlaneFixture fixture)
{
    [Fact]
    public async Task A_watch_error_event_410_leads_to_a_relist()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("gone");
        await using var harness = new InformerHarness(fixture.Plane, ns, new InformerOptions { MinWatchTimeout = TimeSpan.FromSeconds(1) });
        await harness.StartAsync();
        harness.Informer.ListCount.ShouldBe(1);

        // The next watch gets what the API server sends when the resourceVersion left its watch cache: HTTP 200 and
        // one ERROR event whose Status has code 410. (A test cannot make kube-apiserver 1.20 do it on demand: its watch
        // cache replays from resourceVersion 1 and grows rather than evicts while events are recent.)
        var answered = 0;
        harness.Counter.OnWatch = _ => Interlocked.Exchange(ref answered, 1) == 0
            ? new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(
                    """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired","code":410}}""" + "\n",
                    Encoding.UTF8,
                    "application/json"),
            }
            : null;

        await Eventually.UntilAsync(() => harness.Informer.ListCount >= 2, "a relist");
        await fixture.Admin.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after", NamespaceProperty = ns } });
        await Eventually.UntilAsync(() => harness.Saw(InformerEventType.Added, "after"), "the informer keeps watching");
        await Eventually.UntilAsync(() => harness.CacheMatchesFreshListAsync(fixture.Admin, ns), "the cache equals a fresh list");
    }

    [Fact]
    public async Task An_HTTP_410_on_the_watch_request_leads_to_a_relist()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("gone");
        await using var harness = new InformerHarness(fixture.Plane, ns, new InformerOptions { MinWatchTimeout = TimeSpan.FromSeconds(1) });
        await harness.StartAsync();

        var answered = 0;
        harness.Counter.OnWatch = _ => Interlocked.Exchange(ref answered, 1) == 0
            ? new HttpResponseMessage(HttpStatusCode.Gone)
            {
                Content = new StringContent("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"too old resource version"}""", Encoding.UTF8, "application/json"),
            }
            : null;

        await Eventually.UntilAsync(() => harness.Informer.ListCount >= 2, "a relist");
        await fixture.Admin.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after", NamespaceProperty = ns } });
        await Eventually.UntilAsync(() => harness.Saw(InformerEventType.Added, "after"), "the informer keeps watching");
    }

    [Fact]
    public async Task A_relist_keeps_the_cached_copy_of_what_did_not_change_and_replaces_what_did()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("relist");
        foreach (var name in new[] { "kept", "changed" })
        {
            // 40 KiB each, before and after the metadata: the list streams in over several reads, so an item is read
            // (and the kept one skipped) while the reader does not hold the response's final block.
            var filler = new string('x', 40 * 1024);
            await fixture.Admin.CreateAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Annotations = new Dictionary<string, string> { ["filler"] = filler } },
                Data = new Dictionary<string, string> { ["v"] = "1", ["filler"] = filler },
            });
        }

        await using var harness = new InformerHarness(fixture.Plane, ns, new InformerOptions { MinWatchTimeout = TimeSpan.FromSeconds(1) });
        await harness.StartAsync();
        var kept = harness.Informer.Store.Get(new ObjectKey(ns, "kept")).ShouldNotBeNull();
        harness.Informer.ListedObjectsBuilt.ShouldBe(2);

        // The next watch request: "changed" is changed while no watch is open, then the watch is refused with 410, so
        // only the relist can see the change.
        var answered = 0;
        harness.Counter.OnWatch = _ =>
        {
            if (Interlocked.Exchange(ref answered, 1) != 0)
            {
                return null;
            }

            fixture.Admin.PatchAsync<V1ConfigMap>(ns, "changed", PatchType.Merge, """{"data":{"v":"2"}}""").GetAwaiter().GetResult();
            return new HttpResponseMessage(HttpStatusCode.Gone)
            {
                Content = new StringContent("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"too old resource version"}""", Encoding.UTF8, "application/json"),
            };
        };

        await Eventually.UntilAsync(() => harness.Informer.ListCount >= 2 && harness.Saw(InformerEventType.Updated, "changed"), "a relist that finds the change");
        harness.Informer.Store.Get(new ObjectKey(ns, "changed"))!.Data["v"].ShouldBe("2");
        harness.Informer.Store.Get(new ObjectKey(ns, "kept")).ShouldBeSameAs(kept, "an object the relist found unchanged keeps its cached copy");
        harness.Saw(InformerEventType.Updated, "kept").ShouldBeFalse();
        harness.Informer.ListedObjectsBuilt.ShouldBe(3, "the relist built only the changed object");
    }

    [Fact]
    public async Task Cached_objects_carry_no_managed_fields_from_the_list_or_the_watch()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("mf");
        await fixture.Admin.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "listed", NamespaceProperty = ns }, Data = new Dictionary<string, string> { ["a"] = "1" } });
        await using var harness = new InformerHarness(fixture.Plane, ns);
        await harness.StartAsync();
        await fixture.Admin.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "watched", NamespaceProperty = ns }, Data = new Dictionary<string, string> { ["b"] = "2" } });
        await Eventually.UntilAsync(() => harness.Saw(InformerEventType.Added, "watched"), "the watched ConfigMap arrives");

        foreach (var name in new[] { "listed", "watched" })
        {
            // The API server keeps them (the create's field manager): the cache alone goes without.
            (await fixture.Admin.GetAsync<V1ConfigMap>(ns, name))!.Metadata.ManagedFields.ShouldNotBeEmpty();
            var cached = harness.Informer.Store.Get(new ObjectKey(ns, name)).ShouldNotBeNull();
            cached.Metadata.ManagedFields.ShouldBeNull();
            cached.Data.ShouldNotBeEmpty();
        }
    }

    [Fact]
    public async Task Only_labelled_objects_are_cached_when_a_selector_is_given()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("sel");
        await using var harness = new InformerHarness(fixture.Plane, ns, new InformerOptions { LabelSelector = "app.kubernetes.io/managed-by=metrics-operator" });
        await harness.StartAsync();
        await fixture.Admin.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "theirs", NamespaceProperty = ns } });
        await fixture.Admin.CreateAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "ours", NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "metrics-operator" } },
        });
        await Eventually.UntilAsync(() => harness.Saw(InformerEventType.Added, "ours"), "the labelled object arrives");
        harness.Informer.Store.List().Select(c => c.Metadata.Name).ShouldBe(["ours"]);
    }
}

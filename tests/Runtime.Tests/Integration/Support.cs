using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Metrics;
using MetricsOperator.Runtime.Reconcile;
using MetricsOperator.TestSupport;
using Prometheus;

namespace MetricsOperator.Runtime.Tests.Integration;

/// <summary>Polls a condition until a deadline: tests wait on state, never on sleeps.</summary>
public static class Eventually
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}

/// <summary>Counts requests by method, and lets a test rewrite or answer the next watch request.</summary>
public sealed class CountingHandler : DelegatingHandler
{
    private readonly List<string> writes = [];
    private int requests;

    /// <summary>Called with each watch request; may return a response to send instead.</summary>
    public Func<HttpRequestMessage, HttpResponseMessage?>? OnWatch { get; set; }

    public int Requests => Volatile.Read(ref requests);

    public IReadOnlyList<string> Writes
    {
        get
        {
            lock (writes)
            {
                return [.. writes];
            }
        }
    }

    public void Reset()
    {
        lock (writes)
        {
            writes.Clear();
        }

        Interlocked.Exchange(ref requests, 0);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref requests);
        if (request.Method != HttpMethod.Get)
        {
            lock (writes)
            {
                writes.Add(request.Method + " " + request.RequestUri!.AbsolutePath);
            }
        }

        if (request.RequestUri!.Query.Contains("watch=true", StringComparison.Ordinal) && OnWatch?.Invoke(request) is { } response)
        {
            return Task.FromResult(response);
        }

        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Records what a reconciler was handed.</summary>
public sealed class RecordingReconciler(Func<Widget, CancellationToken, Task<ReconcileResult>>? body = null) : IReconciler<Widget>
{
    private readonly List<(DateTime At, string Key, long Generation, bool Deleting, string? Message)> calls = [];

    public IReadOnlyList<(DateTime At, string Key, long Generation, bool Deleting, string? Message)> Calls
    {
        get
        {
            lock (calls)
            {
                return [.. calls];
            }
        }
    }

    public int CountFor(string name) => Calls.Count(c => c.Key.EndsWith("/" + name, StringComparison.Ordinal));

    public async Task<ReconcileResult> ReconcileAsync(Widget entity, CancellationToken cancellationToken)
    {
        lock (calls)
        {
            calls.Add((DateTime.UtcNow, ObjectKey.Of(entity).ToString(), entity.Metadata.Generation ?? 0, entity.Metadata.DeletionTimestamp is not null, entity.Spec.Message));
        }

        return body is null ? ReconcileResult.Done : await body(entity, cancellationToken);
    }
}

/// <summary>A manager running in the background for one test.</summary>
public sealed class RunningManager : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private Task? run;

    public RunningManager(ControlPlane plane, ManagerOptions options)
    {
        Counter = new CountingHandler();
        Api = new KubeApi(plane.CreateClient(Identity.Admin, Counter), ownsClient: true);
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Manager = new Manager(Api, options, metrics: new RuntimeMetrics(Registry));
    }

    public CountingHandler Counter { get; }

    public KubeApi Api { get; }

    public CollectorRegistry Registry { get; }

    public Manager Manager { get; }

    public RunningManager Start()
    {
        run = Task.Run(() => Manager.RunAsync(stop.Token));
        return this;
    }

    public async Task WaitReadyAsync() => await Eventually.UntilAsync(() => Manager.IsReady || run!.IsCompleted, "the caches synced");

    /// <summary>Stops the manager (a crash, as far as the lease is concerned, when release is off).</summary>
    public async Task StopAsync()
    {
        await stop.CancelAsync();
        if (run is not null)
        {
            await run.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    public async Task<double> MetricAsync(string name, params (string Label, string Value)[] labels)
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        var text = Encoding.UTF8.GetString(stream.ToArray());
        var total = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name + "{", StringComparison.Ordinal) && !line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                continue;
            }

            if (labels.All(l => line.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        await Manager.DisposeAsync();
        Api.Dispose();
        stop.Dispose();
    }
}

public static class Widgets
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly HashSet<Uri> Installed = [];

    /// <summary>Installs the Widget CRD on <paramref name="plane"/> once and waits until it is served.</summary>
    public static async Task InstallAsync(ControlPlane plane)
    {
        await Gate.WaitAsync();
        try
        {
            if (Installed.Contains(plane.Server))
            {
                return;
            }

            try
            {
                await plane.AdminClient.ApiextensionsV1.CreateCustomResourceDefinitionAsync(WidgetCrd.Definition());
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
            }

            using var api = new KubeApi((Kubernetes)plane.AdminClient);
            await Eventually.UntilAsync(
                async () =>
                {
                    try
                    {
                        await api.ListAsync<Widget>("default", limit: 1);
                        return true;
                    }
                    catch (KubeApiException e) when (e.IsNotFound)
                    {
                        return false;
                    }
                },
                "the Widget CRD is served",
                TimeSpan.FromSeconds(30));
            Installed.Add(plane.Server);
        }
        finally
        {
            Gate.Release();
        }
    }
}

/// <summary>The shared API server with the Widget CRD, and an admin REST client for arranging state.</summary>
public sealed class SharedPlaneFixture : IAsyncLifetime
{
    public ControlPlane Plane { get; private set; } = null!;

    public KubeApi Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Plane = await ControlPlane.SharedAsync();
        await Widgets.InstallAsync(Plane);
        Admin = new KubeApi(Plane.CreateClient(Identity.Admin), ownsClient: true);
    }

    public Task DisposeAsync()
    {
        Admin.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class SharedPlaneGroup : ICollectionFixture<SharedPlaneFixture>
{
    public const string Name = "shared API server";
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Events;
using Shouldly;
using Xunit;

namespace MetricsOperator.Runtime.Tests.Unit;

/// <summary>
/// The recorder writes Events in the background: a reconcile that records one does not wait for the API server, nor
/// for another reconcile's Event (one lock around every write made all workers take turns at the API server: with
/// 1000 AppAlerts, ~36 a second was all the sync could do, whatever the number of workers; docs/performance.md).
/// </summary>
public sealed class EventRecorderTests : IAsyncDisposable
{
    private readonly GatedApiServer server = new();
    private readonly KubeApi api;
    private readonly EventRecorder recorder;

    public EventRecorderTests()
    {
        api = new KubeApi(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" }, server);
        recorder = new EventRecorder(api, "metrics-operator", "pod-0");
    }

    [Fact]
    public async Task Record_returns_before_the_api_server_answers_and_flush_waits_for_it()
    {
        server.Hold();
        recorder.Record(Widget("a"), EventTypes.Normal, "Synced", "all rules synced");

        await server.WaitForInFlightAsync(1);
        var flushed = recorder.FlushAsync();
        await Task.Delay(200);
        flushed.IsCompleted.ShouldBeFalse("the Event is not written yet");

        server.Release();
        await flushed.WaitAsync(TimeSpan.FromSeconds(10));
        var created = server.Bodies("POST").ShouldHaveSingleItem();
        created["reason"]!.GetValue<string>().ShouldBe("Synced");
        created["involvedObject"]!["name"]!.GetValue<string>().ShouldBe("a");
    }

    [Fact]
    public async Task Events_of_different_objects_are_written_at_once()
    {
        server.Hold();
        for (var i = 0; i < 16; i++)
        {
            recorder.Record(Widget($"w{i}"), EventTypes.Normal, "Synced", "all rules synced");
        }

        // Sixteen objects spread over the writers (all on one would be a 4^-15 chance): more than one write waits at once.
        await server.WaitForInFlightAsync(2);
        server.Release();
        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        server.Bodies("POST").Count.ShouldBe(16);
        server.MaxInFlight.ShouldBeInRange(2, EventRecorder.Writers);
    }

    [Fact]
    public async Task One_objects_events_are_written_in_the_order_they_were_recorded()
    {
        var widget = Widget("ordered");
        for (var i = 0; i < 30; i++)
        {
            recorder.Record(widget, EventTypes.Normal, $"Step{i}", "a step");
        }

        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        server.Bodies("POST").Select(b => b["reason"]!.GetValue<string>()).ShouldBe(Enumerable.Range(0, 30).Select(i => $"Step{i}"));
    }

    [Fact]
    public async Task A_repeated_event_bumps_the_count_of_the_one_written_before()
    {
        var widget = Widget("again");
        recorder.Record(widget, EventTypes.Warning, "GrafanaRejected", "Grafana refused the group");
        recorder.Record(widget, EventTypes.Warning, "GrafanaRejected", "Grafana refused the group");

        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        server.Bodies("POST").ShouldHaveSingleItem();
        var patch = server.Bodies("PATCH").ShouldHaveSingleItem();
        patch["count"]!.GetValue<int>().ShouldBe(2);
    }

    [Fact]
    public async Task A_full_queue_drops_the_newest_events_and_counts_them()
    {
        server.Hold();
        var widget = Widget("storm"); // one object: one writer, whose share of the queue is QueueLength / Writers
        var recorded = EventRecorder.QueueLength / EventRecorder.Writers + 50;
        for (var i = 0; i < recorded; i++)
        {
            recorder.Record(widget, EventTypes.Warning, $"Storm{i}", "again");
            if (i == 0)
            {
                await server.WaitForInFlightAsync(1); // the first is taken off the queue and waits at the server
            }
        }

        recorder.Dropped.ShouldBe(49);
        server.Release();
        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var written = server.Bodies("POST").Select(b => b["reason"]!.GetValue<string>()).ToList();
        written.Count.ShouldBe(recorded - 49);
        written[^1].ShouldBe($"Storm{recorded - 50}", "the oldest are kept, the newest dropped");
    }

    [Fact]
    public async Task Disposing_writes_what_is_queued()
    {
        for (var i = 0; i < 10; i++)
        {
            recorder.Record(Widget($"d{i}"), EventTypes.Normal, "Synced", "all rules synced");
        }

        await recorder.DisposeAsync();
        server.Bodies("POST").Count.ShouldBe(10);

        recorder.Record(Widget("late"), EventTypes.Normal, "Synced", "after the stop");
        recorder.Dropped.ShouldBe(0, "an Event after the stop is not a queue overflow");
    }

    public async ValueTask DisposeAsync()
    {
        server.Release();
        await recorder.DisposeAsync();
        api.Dispose();
    }

    private static V1ConfigMap Widget(string name) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "apps", Uid = $"uid-{name}" },
    };

    /// <summary>Answers Event writes like the API server (a create echoes the Event), after a gate the test opens.</summary>
    private sealed class GatedApiServer : DelegatingHandler
    {
        private readonly List<(string Method, JsonNode Body)> requests = [];
        private TaskCompletionSource open = Opened();
        private int inFlight;

        public int MaxInFlight { get; private set; }

        public void Hold() => open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => open.TrySetResult();

        public async Task WaitForInFlightAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Volatile.Read(ref inFlight) < count)
            {
                DateTime.UtcNow.ShouldBeLessThan(deadline, $"{count} writes waiting at the server");
                await Task.Delay(5);
            }
        }

        public List<JsonNode> Bodies(string method)
        {
            lock (requests)
            {
                return requests.Where(r => r.Method == method).Select(r => r.Body).ToList();
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            lock (requests)
            {
                MaxInFlight = Math.Max(MaxInFlight, Interlocked.Increment(ref inFlight));
            }

            try
            {
                await open.Task.WaitAsync(cancellationToken);
                lock (requests)
                {
                    requests.Add((request.Method.Method, JsonNode.Parse(body)!));
                }

                var answer = request.Method == HttpMethod.Post ? body : "{}";
                return new HttpResponseMessage(request.Method == HttpMethod.Post ? HttpStatusCode.Created : HttpStatusCode.OK)
                {
                    Content = new StringContent(answer, Encoding.UTF8, "application/json"),
                };
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        private static TaskCompletionSource Opened()
        {
            var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            opened.SetResult();
            return opened;
        }
    }
}

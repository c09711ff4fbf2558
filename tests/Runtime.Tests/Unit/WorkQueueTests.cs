using MetricsOperator.Runtime.Queue;

namespace MetricsOperator.Runtime.Tests.Unit;

public class WorkQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Adding_a_key_many_times_before_it_is_taken_queues_it_once()
    {
        await using var queue = new WorkQueue<string>();
        queue.Add("ns/a");
        queue.Add("ns/a");
        queue.Add("ns/b");
        queue.Add("ns/a");

        queue.Count.ShouldBe(2);
        (await queue.GetAsync(CancellationToken.None)).Item.ShouldBe("ns/a");
        (await queue.GetAsync(CancellationToken.None)).Item.ShouldBe("ns/b");
        queue.Count.ShouldBe(0);
    }

    [Fact]
    public async Task A_key_being_processed_is_not_handed_out_again_until_done()
    {
        await using var queue = new WorkQueue<string>();
        queue.Add("k");
        var (first, _) = await queue.GetAsync(CancellationToken.None);
        queue.Add("k");
        queue.Count.ShouldBe(0, "a key re-added while processed waits for Done");

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Should.ThrowAsync<OperationCanceledException>(() => queue.GetAsync(cts.Token));

        queue.Done(first);
        queue.Count.ShouldBe(1);
        (await queue.GetAsync(CancellationToken.None)).Item.ShouldBe("k");
    }

    [Fact]
    public async Task Concurrent_workers_never_process_the_same_key_at_once()
    {
        await using var queue = new WorkQueue<int>();
        var inFlight = new int[5];
        var overlaps = 0;
        var processed = 0;
        using var cts = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var (key, shutdown) = await queue.GetAsync(cts.Token);
                if (shutdown)
                {
                    return;
                }

                if (Interlocked.Increment(ref inFlight[key]) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Yield();
                Thread.SpinWait(2000);
                Interlocked.Decrement(ref inFlight[key]);
                Interlocked.Increment(ref processed);
                queue.Done(key);
            }
        })).ToArray();

        for (var i = 0; i < 20_000; i++)
        {
            queue.Add(i % 5);
        }

        await queue.ShutDownWithDrainAsync().WaitAsync(Deadline);
        await Task.WhenAll(workers).WaitAsync(Deadline);
        overlaps.ShouldBe(0);
        processed.ShouldBeGreaterThan(0);
        processed.ShouldBeLessThan(20_000, "adds of a queued key are deduplicated");
    }

    [Fact]
    public async Task AddAfter_makes_the_key_available_only_after_the_delay()
    {
        await using var queue = new WorkQueue<string>();
        var started = DateTime.UtcNow;
        queue.AddAfter("later", TimeSpan.FromMilliseconds(200));
        queue.Count.ShouldBe(0);
        queue.DelayedCount.ShouldBe(1);

        var (item, _) = await queue.GetAsync(CancellationToken.None).WaitAsync(Deadline);
        item.ShouldBe("later");
        (DateTime.UtcNow - started).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190));
    }

    [Fact]
    public async Task AddAfter_keeps_the_earliest_time_for_a_key()
    {
        await using var queue = new WorkQueue<string>();
        queue.AddAfter("k", TimeSpan.FromSeconds(30));
        queue.AddAfter("k", TimeSpan.FromMilliseconds(50));
        var (item, _) = await queue.GetAsync(CancellationToken.None).WaitAsync(Deadline);
        item.ShouldBe("k");
        queue.DelayedCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_delay_longer_than_a_timer_can_wait_keeps_the_queue_working_and_stopping()
    {
        // A token rotated every 90 days asks to be looked at again in 90 days; one timer waits at most about 49.
        await using var queue = new WorkQueue<string>();
        queue.AddAfter("in-90-days", TimeSpan.FromDays(90));
        await Task.Delay(50);
        queue.AddAfter("soon", TimeSpan.FromMilliseconds(50));

        // The delay loop is alive: a later, shorter delay still comes due.
        var (item, _) = await queue.GetAsync(CancellationToken.None).WaitAsync(Deadline);
        item.ShouldBe("soon");
        queue.DelayedCount.ShouldBe(1);
        queue.Done(item);
        await queue.ShutDownWithDrainAsync().WaitAsync(Deadline);
    }

    [Fact]
    public async Task AddRateLimited_waits_longer_after_each_failure_and_Forget_resets()
    {
        await using var queue = new WorkQueue<string>(new ExponentialBackoff<string>(TimeSpan.FromMilliseconds(40), TimeSpan.FromSeconds(10)));
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var before = DateTime.UtcNow;
            queue.AddRateLimited("k");
            var (item, _) = await queue.GetAsync(CancellationToken.None).WaitAsync(Deadline);
            waits.Add(DateTime.UtcNow - before);
            queue.Done(item);
        }

        queue.NumRequeues("k").ShouldBe(3);
        waits[0].ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(35));
        waits[1].ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(75));
        waits[2].ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(155));
        queue.Forget("k");
        queue.NumRequeues("k").ShouldBe(0);
        queue.Backoff.When("k").ShouldBe(TimeSpan.FromMilliseconds(40));
    }

    [Fact]
    public async Task Shutdown_refuses_new_keys_hands_out_queued_ones_then_signals()
    {
        await using var queue = new WorkQueue<string>();
        queue.Add("a");
        queue.Add("b");
        var (a, _) = await queue.GetAsync(CancellationToken.None);
        var drain = queue.ShutDownWithDrainAsync();
        queue.Add("c");

        var (b, shutdownB) = await queue.GetAsync(CancellationToken.None);
        b.ShouldBe("b");
        shutdownB.ShouldBeFalse();
        queue.Done(b);
        drain.IsCompleted.ShouldBeFalse("a is still being processed");

        queue.Done(a);
        await drain.WaitAsync(Deadline);
        (await queue.GetAsync(CancellationToken.None)).Shutdown.ShouldBeTrue("c was refused");
    }

    [Fact]
    public async Task A_waiting_worker_is_released_by_shutdown()
    {
        await using var queue = new WorkQueue<string>();
        var waiting = queue.GetAsync(CancellationToken.None);
        await Task.Delay(20);
        waiting.IsCompleted.ShouldBeFalse();
        queue.ShutDown();
        (await waiting.WaitAsync(Deadline)).Shutdown.ShouldBeTrue();
    }

    [Fact]
    public async Task Metrics_see_adds_starts_and_retries()
    {
        var metrics = new CountingMetrics();
        await using var queue = new WorkQueue<string>(metrics: metrics);
        queue.Add("a");
        queue.Add("a");
        var (a, _) = await queue.GetAsync(CancellationToken.None);
        queue.Done(a);
        queue.AddRateLimited("a");
        await queue.GetAsync(CancellationToken.None).WaitAsync(Deadline);
        metrics.Adds.ShouldBe(2);
        metrics.Starts.ShouldBe(2);
        metrics.Finishes.ShouldBe(1);
        metrics.Retries.ShouldBe(1);
    }

    private sealed class CountingMetrics : IWorkQueueMetrics
    {
        public int Adds;
        public int Starts;
        public int Finishes;
        public int Retries;

        public void Added() => Interlocked.Increment(ref Adds);

        public void Started(TimeSpan queued) => Interlocked.Increment(ref Starts);

        public void Finished(TimeSpan worked) => Interlocked.Increment(ref Finishes);

        public void Retried() => Interlocked.Increment(ref Retries);
    }
}

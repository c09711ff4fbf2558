namespace MetricsOperator.Runtime.Queue;

/// <summary>
/// A work queue with client-go's guarantees, in one type (client-go's Type + DelayingQueue + RateLimitingQueue):
/// <list type="bullet">
/// <item>an item added many times before a worker takes it is processed once (the <i>dirty</i> set);</item>
/// <item>an item is never handed to two workers at once: re-adding it while it is processed marks it dirty and it is
/// queued again only when the worker calls <see cref="Done"/> (the <i>processing</i> set);</item>
/// <item><see cref="AddAfter"/> and <see cref="AddRateLimited"/> (per-item exponential backoff, reset by
/// <see cref="Forget"/>) wait in one priority queue served by one loop: no timer per item;</item>
/// <item><see cref="ShutDown"/> refuses new items; workers still get what was queued, then a shutdown signal;
/// <see cref="ShutDownWithDrainAsync"/> also waits until every item being processed is done.</item>
/// </list>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "client-go's name; it is a queue.")]
public sealed class WorkQueue<TKey> : IAsyncDisposable
    where TKey : notnull
{
    private readonly object gate = new();
    private readonly Queue<TKey> queue = new();
    private readonly HashSet<TKey> dirty = [];
    private readonly HashSet<TKey> processing = [];
    private readonly Dictionary<TKey, long> queuedAt = [];
    private readonly Dictionary<TKey, long> startedAt = [];
    private readonly PriorityQueue<TKey, long> waiting = new();
    private readonly Dictionary<TKey, long> waitingReadyAt = [];
    private readonly TimeProvider time;
    private readonly IWorkQueueMetrics metrics;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task delayLoop;
    private TaskCompletionSource? itemsAvailable;
    private TaskCompletionSource? waitingChanged;
    private TaskCompletionSource? drained;
    private bool shuttingDown;

    /// <summary>Creates a queue.</summary>
    /// <param name="backoff">Per-item backoff for <see cref="AddRateLimited"/>; client-go's 5 ms to 1000 s when null.</param>
    /// <param name="metrics">Where to report depth, adds, latency and retries.</param>
    /// <param name="timeProvider">The clock (tests may pass a fake one).</param>
    public WorkQueue(ExponentialBackoff<TKey>? backoff = null, IWorkQueueMetrics? metrics = null, TimeProvider? timeProvider = null)
    {
        Backoff = backoff ?? new ExponentialBackoff<TKey>();
        this.metrics = metrics ?? NoWorkQueueMetrics.Instance;
        time = timeProvider ?? TimeProvider.System;
        delayLoop = Task.Run(DelayLoopAsync);
    }

    /// <summary>The per-item backoff used by <see cref="AddRateLimited"/>.</summary>
    public ExponentialBackoff<TKey> Backoff { get; }

    /// <summary>How many items wait for a worker (not counting delayed ones).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return queue.Count;
            }
        }
    }

    /// <summary>How many items wait for their delay to pass.</summary>
    public int DelayedCount
    {
        get
        {
            lock (gate)
            {
                return waitingReadyAt.Count;
            }
        }
    }

    /// <summary>True once <see cref="ShutDown"/> was called.</summary>
    public bool IsShuttingDown
    {
        get
        {
            lock (gate)
            {
                return shuttingDown;
            }
        }
    }

    /// <summary>Queues <paramref name="item"/> unless it is already queued; ignored after shutdown.</summary>
    public void Add(TKey item)
    {
        lock (gate)
        {
            AddLocked(item);
        }
    }

    // The longest single wait of the delay loop (CancellationTokenSource.CancelAfter's limit is uint.MaxValue - 1 ms).
    private static readonly TimeSpan MaxTimerWait = TimeSpan.FromDays(24);

    /// <summary>Queues <paramref name="item"/> once <paramref name="delay"/> has passed. If the item already waits,
    /// the earlier of the two times wins.</summary>
    public void AddAfter(TKey item, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }

        lock (gate)
        {
            if (shuttingDown)
            {
                return;
            }

            var readyAt = time.GetTimestamp() + (long)(delay.TotalSeconds * time.TimestampFrequency);
            if (waitingReadyAt.TryGetValue(item, out var existing) && existing <= readyAt)
            {
                return;
            }

            waitingReadyAt[item] = readyAt;
            waiting.Enqueue(item, readyAt);
            if (waiting.TryPeek(out _, out var head) && head == readyAt)
            {
                waitingChanged?.TrySetResult();
            }
        }
    }

    /// <summary>Queues <paramref name="item"/> after its next backoff delay and counts a retry.</summary>
    public void AddRateLimited(TKey item)
    {
        metrics.Retried();
        AddAfter(item, Backoff.When(item));
    }

    /// <summary>Resets <paramref name="item"/>'s backoff (call after it succeeded).</summary>
    public void Forget(TKey item) => Backoff.Forget(item);

    /// <summary>How many times <paramref name="item"/> was retried since it was last forgotten.</summary>
    public int NumRequeues(TKey item) => Backoff.NumRequeues(item);

    /// <summary>
    /// Waits for an item and marks it as being processed; the caller must call <see cref="Done"/> with it.
    /// Returns <c>Shutdown = true</c> once the queue is shut down and empty.
    /// </summary>
    public async Task<(TKey Item, bool Shutdown)> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (gate)
            {
                if (queue.TryDequeue(out var item))
                {
                    processing.Add(item);
                    dirty.Remove(item);
                    var now = time.GetTimestamp();
                    metrics.Started(queuedAt.Remove(item, out var at) ? time.GetElapsedTime(at, now) : TimeSpan.Zero);
                    startedAt[item] = now;
                    return (item, false);
                }

                if (shuttingDown)
                {
                    return (default!, true);
                }

                itemsAvailable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = itemsAvailable.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks <paramref name="item"/> as processed; if it was added meanwhile it is queued again now.</summary>
    public void Done(TKey item)
    {
        lock (gate)
        {
            if (!processing.Remove(item))
            {
                return;
            }

            if (startedAt.Remove(item, out var at))
            {
                metrics.Finished(time.GetElapsedTime(at));
            }

            if (dirty.Contains(item))
            {
                Enqueue(item);
            }
            else if (shuttingDown && processing.Count == 0)
            {
                drained?.TrySetResult();
            }
        }
    }

    /// <summary>Refuses new items and stops the delay loop; workers get what is queued, then a shutdown signal.</summary>
    public void ShutDown()
    {
        lock (gate)
        {
            if (shuttingDown)
            {
                return;
            }

            shuttingDown = true;
            waiting.Clear();
            waitingReadyAt.Clear();
            itemsAvailable?.TrySetResult();
            itemsAvailable = null;
            if (processing.Count == 0)
            {
                drained?.TrySetResult();
            }
        }

        stopping.Cancel();
    }

    /// <summary>Shuts down and waits until no item is being processed.</summary>
    public async Task ShutDownWithDrainAsync(CancellationToken cancellationToken = default)
    {
        Task wait;
        lock (gate)
        {
            if (processing.Count == 0)
            {
                wait = Task.CompletedTask;
            }
            else
            {
                drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = drained.Task;
            }
        }

        ShutDown();
        await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        ShutDown();
        try
        {
            await delayLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        stopping.Dispose();
    }

    private void AddLocked(TKey item)
    {
        if (shuttingDown || !dirty.Add(item))
        {
            return;
        }

        if (processing.Contains(item))
        {
            return;
        }

        Enqueue(item);
    }

    private void Enqueue(TKey item)
    {
        queue.Enqueue(item);
        queuedAt[item] = time.GetTimestamp();
        metrics.Added();
        itemsAvailable?.TrySetResult();
        itemsAvailable = null;
    }

    private async Task DelayLoopAsync()
    {
        var token = stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Task changed;
            TimeSpan wait;
            lock (gate)
            {
                var now = time.GetTimestamp();
                while (waiting.TryPeek(out var item, out var readyAt) && readyAt <= now)
                {
                    waiting.Dequeue();
                    if (waitingReadyAt.TryGetValue(item, out var current) && current == readyAt)
                    {
                        waitingReadyAt.Remove(item);
                        AddLocked(item);
                    }
                }

                wait = waiting.TryPeek(out _, out var next) ? time.GetElapsedTime(now, next) : Timeout.InfiniteTimeSpan;
                waitingChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed = waitingChanged.Task;
            }

            using var timer = CancellationTokenSource.CreateLinkedTokenSource(token);
            if (wait != Timeout.InfiniteTimeSpan)
            {
                // Round up so a wake-up never comes a tick early and spins. A timer cannot wait longer than about 49 days
                // (CancelAfter throws beyond uint.MaxValue - 1 ms): wake at that bound and look again, the item stays due later.
                timer.CancelAfter(TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds + 1, MaxTimerWait.TotalMilliseconds)));
            }

            try
            {
                await changed.WaitAsync(timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The earliest item is due, or the queue stopped: the loop condition tells which.
            }
        }
    }
}

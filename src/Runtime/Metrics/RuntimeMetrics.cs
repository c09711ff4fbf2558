using MetricsOperator.Runtime.Queue;
using Prometheus;

namespace MetricsOperator.Runtime.Metrics;

/// <summary>The reconcile outcomes, as controller-runtime labels them.</summary>
public static class ReconcileResultLabels
{
    /// <summary>Converged.</summary>
    public const string Success = "success";

    /// <summary>Threw (retried with backoff, or terminal).</summary>
    public const string Error = "error";

    /// <summary>Asked to be requeued with backoff.</summary>
    public const string Requeue = "requeue";

    /// <summary>Asked to be requeued after a delay.</summary>
    public const string RequeueAfter = "requeue_after";
}

/// <summary>
/// The runtime's Prometheus metrics under controller-runtime's and client-go's names, so existing dashboards work:
/// <c>controller_runtime_reconcile_total{controller,result}</c>, <c>controller_runtime_reconcile_errors_total{controller}</c>,
/// <c>controller_runtime_reconcile_time_seconds{controller}</c>, <c>workqueue_depth{name}</c>, <c>workqueue_adds_total{name}</c>,
/// <c>workqueue_retries_total{name}</c>, <c>workqueue_queue_duration_seconds{name}</c>, <c>workqueue_work_duration_seconds{name}</c>,
/// <c>leader_election_master_status{name}</c>; and its own <c>heap_trims_total</c> (<see cref="Memory.HeapTrimmer"/>).
/// One instance per registry (a test can give each manager its own).
/// </summary>
public sealed class RuntimeMetrics
{
    private static readonly double[] ReconcileBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];

    // client-go's workqueue buckets: 1 ns to 10 s, powers of ten.
    private static readonly double[] QueueBuckets = Histogram.ExponentialBuckets(1e-8, 10, 10);

    /// <summary>Creates the metrics in <paramref name="registry"/> (the process-wide default when null).</summary>
    public RuntimeMetrics(CollectorRegistry? registry = null)
    {
        Registry = registry ?? Prometheus.Metrics.DefaultRegistry;
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        ReconcileTotal = factory.CreateCounter("controller_runtime_reconcile_total", "Total number of reconciliations per controller.", new CounterConfiguration { LabelNames = ["controller", "result"] });
        ReconcileErrors = factory.CreateCounter("controller_runtime_reconcile_errors_total", "Total number of reconciliation errors per controller.", new CounterConfiguration { LabelNames = ["controller"] });
        ReconcileTime = factory.CreateHistogram("controller_runtime_reconcile_time_seconds", "Length of time per reconciliation per controller.", new HistogramConfiguration { LabelNames = ["controller"], Buckets = ReconcileBuckets });
        ActiveWorkers = factory.CreateGauge("controller_runtime_active_workers", "Number of currently used workers per controller.", new GaugeConfiguration { LabelNames = ["controller"] });
        QueueDepth = factory.CreateGauge("workqueue_depth", "Current depth of workqueue.", new GaugeConfiguration { LabelNames = ["name"] });
        QueueAdds = factory.CreateCounter("workqueue_adds_total", "Total number of adds handled by workqueue.", new CounterConfiguration { LabelNames = ["name"] });
        QueueRetries = factory.CreateCounter("workqueue_retries_total", "Total number of retries handled by workqueue.", new CounterConfiguration { LabelNames = ["name"] });
        QueueLatency = factory.CreateHistogram("workqueue_queue_duration_seconds", "How long in seconds an item stays in workqueue before being requested.", new HistogramConfiguration { LabelNames = ["name"], Buckets = QueueBuckets });
        WorkDuration = factory.CreateHistogram("workqueue_work_duration_seconds", "How long in seconds processing an item from workqueue takes.", new HistogramConfiguration { LabelNames = ["name"], Buckets = QueueBuckets });
        HeapTrims = factory.CreateCounter("heap_trims_total", "Aggressive GCs run to give back the memory of an allocation burst once it ended.");
        Leader = factory.CreateGauge("leader_election_master_status", "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.", new GaugeConfiguration { LabelNames = ["name"] });
    }

    /// <summary>The registry the metrics live in (serve it at <c>/metrics</c>).</summary>
    public CollectorRegistry Registry { get; }

    /// <summary><c>heap_trims_total</c>.</summary>
    public Counter HeapTrims { get; }

    /// <summary><c>controller_runtime_reconcile_total{controller,result}</c>.</summary>
    public Counter ReconcileTotal { get; }

    /// <summary><c>controller_runtime_reconcile_errors_total{controller}</c>.</summary>
    public Counter ReconcileErrors { get; }

    /// <summary><c>controller_runtime_reconcile_time_seconds{controller}</c>.</summary>
    public Histogram ReconcileTime { get; }

    /// <summary><c>controller_runtime_active_workers{controller}</c>.</summary>
    public Gauge ActiveWorkers { get; }

    /// <summary><c>workqueue_depth{name}</c>.</summary>
    public Gauge QueueDepth { get; }

    /// <summary><c>workqueue_adds_total{name}</c>.</summary>
    public Counter QueueAdds { get; }

    /// <summary><c>workqueue_retries_total{name}</c>.</summary>
    public Counter QueueRetries { get; }

    /// <summary><c>workqueue_queue_duration_seconds{name}</c>.</summary>
    public Histogram QueueLatency { get; }

    /// <summary><c>workqueue_work_duration_seconds{name}</c>.</summary>
    public Histogram WorkDuration { get; }

    /// <summary><c>leader_election_master_status{name}</c>.</summary>
    public Gauge Leader { get; }

    /// <summary>The queue metrics of the queue called <paramref name="name"/>.</summary>
    public IWorkQueueMetrics ForQueue(string name) => new QueueMetrics(this, name);

    private sealed class QueueMetrics(RuntimeMetrics m, string name) : IWorkQueueMetrics
    {
        private readonly Gauge.Child depth = m.QueueDepth.WithLabels(name);
        private readonly Counter.Child adds = m.QueueAdds.WithLabels(name);
        private readonly Counter.Child retries = m.QueueRetries.WithLabels(name);
        private readonly Histogram.Child latency = m.QueueLatency.WithLabels(name);
        private readonly Histogram.Child work = m.WorkDuration.WithLabels(name);

        public void Added()
        {
            adds.Inc();
            depth.Inc();
        }

        public void Started(TimeSpan queued)
        {
            depth.Dec();
            latency.Observe(queued.TotalSeconds);
        }

        public void Finished(TimeSpan worked) => work.Observe(worked.TotalSeconds);

        public void Retried() => retries.Inc();
    }
}

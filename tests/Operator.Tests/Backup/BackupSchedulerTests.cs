using k8s;
using k8s.Models;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Runtime.Events;
using MetricsOperator.Runtime.Metrics;
using Prometheus;

namespace MetricsOperator.Tests.Backup;

/// <summary>
/// The scheduler and the BackupReady step driven directly (no API server): Grafana fake as the source, s3rver as the
/// destination through the production S3 client. The destination goes down and comes back.
/// </summary>
[Collection(S3rverTests.Name)]
public sealed class BackupSchedulerTests(S3rverFixture s3) : IAsyncLifetime, IDisposable
{
    private readonly ManualClock clock = new(new DateTimeOffset(2025, 6, 1, 3, 0, 0, TimeSpan.Zero));
    private readonly BackupResults results = new();
    private readonly RecordingEvents events = new();
    private readonly CollectorRegistry registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly string prefix = $"sched-{Guid.NewGuid():N}/";
    private GrafanaFake grafana = null!;
    private BackupScheduler scheduler = null!;
    private BackupStep step = null!;

    public async Task InitializeAsync()
    {
        grafana = await GrafanaFake.StartNewAsync();
        using (var api = GrafanaSeed.Api(grafana))
        {
            await GrafanaSeed.FillAsync(api);
        }

        scheduler = new BackupScheduler(new TestSources(s3, grafana, prefix), results, new BackupMetrics(new RuntimeMetrics(registry)), events, clock);
        step = new BackupStep(results, clock);
    }

    public async Task DisposeAsync()
    {
        await grafana.DisposeAsync();
    }

    public void Dispose() => scheduler.Dispose();

    [Fact]
    public async Task Destination_down_makes_BackupReady_False_with_the_reason_retries_and_recovers()
    {
        var stack = Stack("5m");

        (await RunDueAsync(stack)).ShouldBe(1, "the first Grafana backup runs at once");
        var ok = step.Report(stack);
        ok.Done.ShouldBeTrue();
        ok.Reason.ShouldBe(BackupReasons.Succeeded);
        var status = Apply(ok);
        var first = status.Backup!.Grafana!;
        first.LastSnapshot.ShouldBe("grafana/20250601T030000Z");
        first.LastSuccessTime.ShouldBe(clock.GetUtcNow().UtcDateTime);
        first.LastError.ShouldBeNull();
        (await RunDueAsync(stack)).ShouldBe(0, "not due again before the interval");

        await s3.StopAsync();
        try
        {
            clock.Advance(TimeSpan.FromMinutes(5));
            (await RunDueAsync(stack)).ShouldBe(1);
            var down = step.Report(stack);
            down.Done.ShouldBeFalse();
            down.Reason.ShouldBe(BackupReasons.DestinationUnavailable);
            down.Message.ShouldContain("grafana backup failed");
            down.Message.ShouldContain(S3rverFixture.Bucket);
            down.Message.ShouldNotContain("S3RVER", Case.Sensitive, "no credential in the message");
            status = Apply(down, status);
            status.Backup!.Grafana!.LastError.ShouldBe(results.Get(Key(stack), BackupKinds.Grafana)!.LastError);
            status.Backup.Grafana.LastSnapshot.ShouldBe(first.LastSnapshot, "the last good snapshot stays in status");
            status.Backup.Grafana.LastSuccessTime.ShouldBe(first.LastSuccessTime);
            events.Recorded.ShouldContain(e => e.Type == EventTypes.Warning && e.Reason == BackupReasons.DestinationUnavailable);

            clock.Advance(TimeSpan.FromSeconds(10));
            (await RunDueAsync(stack)).ShouldBe(0, "the retry waits its backoff (30 s)");
            clock.Advance(TimeSpan.FromSeconds(20));
            (await RunDueAsync(stack)).ShouldBe(1, "retried after 30 s");
            results.Get(Key(stack), BackupKinds.Grafana)!.Failures.ShouldBe(2);
            step.Report(stack).Reason.ShouldBe(BackupReasons.DestinationUnavailable);
            (await MetricsTextAsync()).ShouldContain("backup_consecutive_failures{kind=\"grafana\",namespace=\"observability\",stack=\"metrics\"} 2");
        }
        finally
        {
            await s3.StartAsync();
        }

        using (var api = GrafanaSeed.Api(grafana))
        {
            await GrafanaSeed.DashboardAsync(api, "errors", "Errors", "team-ops", "count(errors)");
        }

        clock.Advance(TimeSpan.FromSeconds(59));
        (await RunDueAsync(stack)).ShouldBe(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        (await RunDueAsync(stack)).ShouldBe(1, "retried after 60 s, the destination is back");
        var recovered = step.Report(stack);
        recovered.Done.ShouldBeTrue();
        recovered.Reason.ShouldBe(BackupReasons.Succeeded);
        status = Apply(recovered, status);
        status.Backup!.Grafana!.LastError.ShouldBeNull();
        status.Backup.Grafana.LastSnapshot.ShouldBe("grafana/20250601T030630Z", "the change made while down is in the new snapshot");
        events.Recorded.ShouldContain(e => e.Type == EventTypes.Normal && e.Reason == "BackupRecovered");
        results.Get(Key(stack), BackupKinds.Grafana)!.NextDue.ShouldBe(clock.GetUtcNow().AddMinutes(5));

        using var text = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(text);
        var metrics = System.Text.Encoding.UTF8.GetString(text.ToArray());
        metrics.ShouldContain($"backup_last_success_timestamp_seconds{{kind=\"grafana\",namespace=\"observability\",stack=\"metrics\"}} {clock.GetUtcNow().ToUnixTimeSeconds()}");
        metrics.ShouldContain("backup_duration_seconds_count{kind=\"grafana\",namespace=\"observability\",stack=\"metrics\"} 4");
        metrics.ShouldContain("backup_size_bytes{kind=\"grafana\"");
        metrics.ShouldContain("backup_consecutive_failures{kind=\"grafana\",namespace=\"observability\",stack=\"metrics\"} 0", customMessage: "a success resets the count");
    }

    private async Task<string> MetricsTextAsync()
    {
        using var text = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    [Fact]
    public async Task A_backup_waits_for_its_source_to_be_ready()
    {
        var stack = Stack("5m");
        stack.Status.Conditions = [];
        (await RunDueAsync(stack)).ShouldBe(0);
        var waiting = step.Report(stack);
        waiting.Done.ShouldBeTrue();
        waiting.Reason.ShouldBe(BackupReasons.Scheduled);
        waiting.Message.ShouldBe("first grafana backup waits for GrafanaReady");
        events.Recorded.ShouldBeEmpty();

        stack.Status.Conditions = [Ready(MetricsStackConditions.GrafanaReady)];
        (await RunDueAsync(stack)).ShouldBe(1);
        step.Report(stack).Reason.ShouldBe(BackupReasons.Succeeded);
    }

    [Fact]
    public async Task Without_spec_backup_BackupReady_is_True_NotConfigured_and_nothing_runs()
    {
        var stack = Stack(null);
        stack.Spec.Backup = null;
        (await RunDueAsync(stack)).ShouldBe(0);
        var outcome = step.Report(stack);
        outcome.Done.ShouldBeTrue();
        outcome.Reason.ShouldBe(BackupReasons.NotConfigured);
        Apply(outcome, new MetricsStackStatus { Backup = new BackupStatus() }).Backup.ShouldBeNull();
    }

    [Fact]
    public async Task An_unsupported_schedule_is_InvalidSpec_naming_the_field_and_a_fixed_one_runs()
    {
        var stack = Stack("5m");
        stack.Spec.Backup!.InfluxDb = new InfluxDbBackupSpec { Schedule = "0 3 * * MON", Destination = stack.Spec.Backup.Grafana!.Destination };
        (await RunDueAsync(stack)).ShouldBe(1, "Grafana still runs");
        var outcome = step.Report(stack);
        outcome.Done.ShouldBeFalse();
        outcome.Reason.ShouldBe(BackupReasons.InvalidSpec);
        outcome.Message.ShouldContain("spec.backup.influxdb.schedule");
        outcome.Message.ShouldContain("day-of-week field \"MON\"");

        stack.Spec.Backup.InfluxDb.Schedule = "0 3 * * 1";
        (await RunDueAsync(stack)).ShouldBe(0, "InfluxDB waits for its schedule");
        var fixedOutcome = step.Report(stack);
        fixedOutcome.Done.ShouldBeTrue();
        fixedOutcome.Reason.ShouldBe(BackupReasons.Scheduled);
        fixedOutcome.Message.ShouldContain("first influxdb backup due 2025-06-02 03:00:00Z");
    }

    [Fact]
    public async Task A_scheduled_InfluxDB_run_missed_while_the_operator_was_away_runs_at_once()
    {
        var stack = Stack("5m");
        stack.Spec.Backup!.Grafana = null;
        stack.Spec.Backup.InfluxDb = new InfluxDbBackupSpec { Schedule = "0 3 * * *", Destination = new BackupDestination { S3 = new S3Destination { Bucket = S3rverFixture.Bucket } } };
        var fresh = Stack("5m");
        fresh.Metadata.Name = "fresh";
        fresh.Spec.Backup = stack.Spec.Backup;
        stack.Status.Backup = new BackupStatus { InfluxDb = new BackupRunStatus { LastSuccessTime = clock.GetUtcNow().UtcDateTime.AddDays(-1).AddMinutes(-1) } };
        clock.Advance(TimeSpan.FromMinutes(1));

        var started = scheduler.StartDue([stack, fresh], default);
        await Task.WhenAll(started);
        started.Count.ShouldBe(1, "the stack whose last success is over a day old runs now; the fresh one waits for 03:00 tomorrow");
        var outcome = step.Report(stack);
        outcome.Done.ShouldBeFalse();
        outcome.Reason.ShouldBe(BackupReasons.CredentialsMissing);
        outcome.Message.ShouldContain("influxdb backup failed: no InfluxDB in this test");
        step.Report(fresh).Reason.ShouldBe(BackupReasons.Scheduled);
        events.Recorded.ShouldContain(e => e.Type == EventTypes.Warning && e.Reason == BackupReasons.CredentialsMissing);
    }

    [Fact]
    public async Task A_run_that_failed_before_an_operator_restart_stays_reported_and_is_retried_at_once()
    {
        // The status a previous operator process left: InfluxDB's only run failed, so there is no success to anchor on.
        var stack = Stack("5m");
        stack.Spec.Backup!.Grafana = null;
        stack.Spec.Backup.InfluxDb = new InfluxDbBackupSpec { Schedule = "0 3 * * *", Destination = new BackupDestination { S3 = new S3Destination { Bucket = S3rverFixture.Bucket } } };
        stack.Status.Backup = new BackupStatus { InfluxDb = new BackupRunStatus { LastError = "influxdb backup failed: InfluxDB answered 503" } };
        stack.Status.Conditions!.Add(new V1Condition { Type = MetricsStackConditions.BackupReady, Status = "False", Reason = BackupReasons.BackupFailed, LastTransitionTime = DateTime.UtcNow });
        clock.Advance(TimeSpan.FromMinutes(1));

        // A new process: nothing in memory. Before the scheduler's first look, BackupReady still says what status says.
        var restarted = new BackupResults();
        var before = new BackupStep(restarted, clock).Report(stack);
        before.Done.ShouldBeFalse("a restart does not turn a failed backup into a pending one");
        before.Reason.ShouldBe(BackupReasons.BackupFailed);
        before.Message.ShouldBe("influxdb backup failed: InfluxDB answered 503");
        Apply(before).Backup!.InfluxDb!.LastError.ShouldBe("influxdb backup failed: InfluxDB answered 503");
        using var scheduler2 = new BackupScheduler(new TestSources(s3, grafana, prefix), restarted, time: clock);
        var started = scheduler2.StartDue([stack], default);
        started.Count.ShouldBe(1, "retried now, not at 03:00 tomorrow");
        await Task.WhenAll(started);
        var outcome = new BackupStep(restarted, clock).Report(stack);
        outcome.Done.ShouldBeFalse();
        outcome.Reason.ShouldBe(BackupReasons.CredentialsMissing, "the retry's own failure replaces the one before the restart");
        restarted.Get(Key(stack), BackupKinds.InfluxDb)!.Failures.ShouldBe(2);

        // A success in status stays a success across a restart (not "first backup pending").
        var succeeded = Stack("5m");
        succeeded.Metadata.Name = "succeeded";
        succeeded.Status.Backup = new BackupStatus { Grafana = new BackupRunStatus { LastSnapshot = "grafana/20250601T025000Z", LastSuccessTime = clock.GetUtcNow().UtcDateTime.AddMinutes(-10) } };
        var kept = new BackupStep(new BackupResults(), clock).Report(succeeded);
        kept.Reason.ShouldBe(BackupReasons.Succeeded);
        kept.Message.ShouldContain("grafana/20250601T025000Z");

        // Without a failure in status, a restart does not run InfluxDB early.
        var healthy = Stack("5m");
        healthy.Metadata.Name = "healthy";
        healthy.Spec.Backup = stack.Spec.Backup;
        scheduler2.StartDue([healthy], default).Count.ShouldBe(0);
        new BackupStep(restarted, clock).Report(healthy).Reason.ShouldBe(BackupReasons.Scheduled);
    }

    [Fact]
    public async Task Every_finished_run_succeeded_or_failed_is_handed_to_RunFinished_after_its_result_is_recorded()
    {
        var stack = Stack("5m");
        stack.Spec.Backup!.InfluxDb = new InfluxDbBackupSpec { Schedule = "0 3 * * *", Destination = stack.Spec.Backup.Grafana!.Destination };
        stack.Status.Backup = new BackupStatus { InfluxDb = new BackupRunStatus { LastSuccessTime = clock.GetUtcNow().UtcDateTime.AddDays(-1) } };
        var finished = new List<(string Stack, bool GrafanaRecorded, bool InfluxRecorded)>();
        using var notifying = new BackupScheduler(new TestSources(s3, grafana, prefix), results, events: events, time: clock)
        {
            RunFinished = s =>
            {
                lock (finished)
                {
                    finished.Add((Key(s), results.Get(Key(s), BackupKinds.Grafana)?.LastSuccess is not null, results.Get(Key(s), BackupKinds.InfluxDb)?.LastError is not null));
                }
            },
        };

        var started = notifying.StartDue([stack], default);
        await Task.WhenAll(started);

        started.Count.ShouldBe(2, "Grafana at once, InfluxDB for the 03:00 missed since its last success");
        finished.Count.ShouldBe(2);
        finished.ShouldAllBe(f => f.Stack == "observability/metrics");
        finished.ShouldContain(f => f.GrafanaRecorded, "the Grafana success was recorded before its callback");
        finished.ShouldContain(f => f.InfluxRecorded, "the InfluxDB failure was recorded before its callback");
        notifying.StartDue([stack], default).ShouldBeEmpty("nothing is due right after");
        finished.Count.ShouldBe(2, "nothing ran, nothing finished");
    }

    [Theory]
    [InlineData(true, BackupScheduler.MaxConcurrentRuns)]
    [InlineData(false, 4)]
    public async Task Only_runs_that_stream_through_the_operator_wait_for_a_slot(bool inProcess, int runningAtOnce)
    {
        var runner = new BlockingRunner(inProcess);
        using var scheduler3 = new BackupScheduler(runner, new BackupResults(), time: clock);
        var stacks = Enumerable.Range(0, 4).Select(i =>
        {
            var stack = Stack("5m");
            stack.Metadata.Name = $"stack-{i}";
            return stack;
        }).ToList();

        var started = scheduler3.StartDue(stacks, default);
        await Eventually.UntilAsync(() => runner.Running == runningAtOnce, $"{runningAtOnce} runs at once");
        await Task.Delay(300);
        runner.Running.ShouldBe(runningAtOnce, "no more than that start");
        runner.Release();
        await Task.WhenAll(started);
        runner.Finished.ShouldBe(4);
    }

    [Fact]
    public async Task A_run_that_happened_earlier_counts_from_its_own_times_so_the_backup_due_now_still_runs()
    {
        // A Job read after a restart: it finished yesterday after 03:00; today's 03:00 has come since.
        var stack = Stack("5m");
        stack.Spec.Backup!.Grafana = null;
        stack.Spec.Backup.InfluxDb = new InfluxDbBackupSpec { Schedule = "0 3 * * *", Destination = new BackupDestination { Pvc = new PvcDestination { ClaimName = "c" } } };
        stack.Status.Backup = new BackupStatus { InfluxDb = new BackupRunStatus { LastSuccessTime = clock.GetUtcNow().UtcDateTime.AddDays(-2) } };
        var yesterday = clock.GetUtcNow().AddDays(-1);
        var runner = new EarlierRunner(new BackupRunResult("20250531T030000Z", true, 10, []) { StartedAt = yesterday, FinishedAt = yesterday.AddMinutes(30) });
        var results2 = new BackupResults();
        using var scheduler3 = new BackupScheduler(runner, results2, time: clock);

        await Task.WhenAll(scheduler3.StartDue([stack], default));

        var record = results2.Get(Key(stack), BackupKinds.InfluxDb)!;
        record.LastSuccess.ShouldBe(yesterday.AddMinutes(30), "status says when that backup really happened");
        record.LastSnapshot.ShouldBe("influxdb/20250531T030000Z");
        record.NextDue!.Value.ShouldBeLessThanOrEqualTo(clock.GetUtcNow(), "today's 03:00 run is still due");
        scheduler3.StartDue([stack], default).Count.ShouldBe(1, "and it runs at once");
    }

    private static string Key(V1Alpha1MetricsStack stack) => BackupResults.KeyOf(stack);

    /// <summary>Holds every run until released; counts how many are inside at once.</summary>
    private sealed class BlockingRunner(bool inProcess) : IBackupRunner
    {
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int running;
        private int finished;

        public int Running => Volatile.Read(ref running);

        public int Finished => Volatile.Read(ref finished);

        public void Release() => release.TrySetResult();

        public bool RunsInProcess(V1Alpha1MetricsStack stack, string kind) => inProcess;

        public async Task<BackupRunResult> RunAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref running);
            await release.Task;
            Interlocked.Increment(ref finished);
            return new BackupRunResult("20250601T030000Z", true, 1, []);
        }
    }

    /// <summary>Reports a run that happened before it was asked for, once; then runs normally.</summary>
    private sealed class EarlierRunner(BackupRunResult earlier) : IBackupRunner
    {
        private int calls;

        public bool RunsInProcess(V1Alpha1MetricsStack stack, string kind) => false;

        public Task<BackupRunResult> RunAsync(V1Alpha1MetricsStack stack, string kind, CancellationToken cancellationToken) =>
            Task.FromResult(Interlocked.Increment(ref calls) == 1 ? earlier : new BackupRunResult("20250601T030000Z", true, 1, []));
    }

    private static MetricsStackStatus Apply(MetricsOperator.Stacks.Steps.StepOutcome outcome, MetricsStackStatus? status = null)
    {
        status ??= new MetricsStackStatus();
        outcome.ApplyStatus.ShouldNotBeNull()(status);
        return status;
    }

    private static V1Alpha1MetricsStack Stack(string? interval) => new()
    {
        Metadata = new V1ObjectMeta { Name = "metrics", NamespaceProperty = "observability", Uid = "stack-uid" },
        Status = new MetricsStackStatus { Conditions = [Ready(MetricsStackConditions.GrafanaReady), Ready(MetricsStackConditions.InfluxDBReady)] },
        Spec = new MetricsStackSpec
        {
            Backup = new BackupSpec
            {
                Grafana = new GrafanaBackupSpec
                {
                    Interval = interval,
                    Keep = 5,
                    Destination = new BackupDestination { S3 = new S3Destination { Bucket = S3rverFixture.Bucket, CredentialsSecret = new SecretReference { Name = "s3-credentials" } } },
                },
            },
        },
    };

    private static V1Condition Ready(string type) => new() { Type = type, Status = "True", Reason = "Available", LastTransitionTime = DateTime.UtcNow };

    private async Task<int> RunDueAsync(V1Alpha1MetricsStack stack)
    {
        var started = scheduler.StartDue([stack], default);
        await Task.WhenAll(started);
        return started.Count;
    }

    /// <summary>s3rver and the Grafana fake, as the cluster sources would give them.</summary>
    private sealed class TestSources(S3rverFixture s3, GrafanaFake grafana, string prefix) : IBackupSources
    {
        public Task<IBackupDestination> DestinationAsync(V1Alpha1MetricsStack stack, BackupTargetSpec target, CancellationToken cancellationToken) =>
            Task.FromResult<IBackupDestination>(new S3BackupDestination(s3.Settings(prefix)));

        public Task<GrafanaConfigApi> GrafanaAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken) => Task.FromResult(GrafanaSeed.Api(grafana));

        public Task<InfluxBackupApi> InfluxAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken) =>
            throw new BackupSetupException(BackupReasons.CredentialsMissing, "no InfluxDB in this test");
    }

    /// <summary>Keeps the Events.</summary>
    private sealed class RecordingEvents : IEventRecorder
    {
        public List<(string Type, string Reason, string Message)> Recorded { get; } = [];

        public void Record(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message)
        {
            lock (Recorded)
            {
                Recorded.Add((type, reason, message));
            }
        }
    }
}

using k8s.Models;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Crds;

namespace MetricsOperator.Tests.Backup;

/// <summary>BackupReady and status.backup from the scheduler's results (no I/O).</summary>
public sealed class BackupStepTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 3, 0, 0, TimeSpan.Zero);
    private readonly BackupResults results = new();
    private readonly BackupStep step;

    public BackupStepTests() => step = new BackupStep(results, new ManualClock(Now));

    [Fact]
    public void After_an_operator_restart_BackupReady_reports_what_the_previous_status_says_until_the_next_run()
    {
        var stack = Stack();
        stack.Status.Backup = new BackupStatus { Grafana = new BackupRunStatus { LastSnapshot = "grafana/20250531T030000Z", LastSuccessTime = Now.UtcDateTime.AddDays(-1) } };
        var outcome = step.Report(stack);
        outcome.Done.ShouldBeTrue();
        outcome.Reason.ShouldBe(BackupReasons.Succeeded, "a backup that succeeded before the restart is not \"pending\" after it");
        outcome.Message.ShouldBe("the latest backups succeeded: grafana/20250531T030000Z");
        var status = new MetricsStackStatus();
        outcome.ApplyStatus!(status);
        status.Backup!.Grafana!.LastSnapshot.ShouldBe("grafana/20250531T030000Z");
        status.Backup.Grafana.LastSuccessTime.ShouldBe(Now.UtcDateTime.AddDays(-1));
        status.Backup.InfluxDb.ShouldBeNull();
    }

    [Fact]
    public void After_an_operator_restart_two_failures_read_the_same_as_before_it()
    {
        var stack = Stack();
        stack.Spec.Backup!.InfluxDb = new InfluxDbBackupSpec { Destination = stack.Spec.Backup.Grafana!.Destination };
        stack.Status = new MetricsStackStatus
        {
            Backup = new BackupStatus
            {
                Grafana = new BackupRunStatus { LastError = "grafana backup failed: PUT on s3://b/: refused" },
                InfluxDb = new BackupRunStatus { LastError = "influxdb backup failed: InfluxDB GET backup/metadata: 500" },
            },
            Conditions = [new V1Condition { Type = MetricsStackConditions.BackupReady, Status = "False", Reason = BackupReasons.DestinationUnavailable, LastTransitionTime = Now.UtcDateTime }],
        };

        var outcome = step.Report(stack);

        outcome.Done.ShouldBeFalse();
        outcome.Reason.ShouldBe(BackupReasons.DestinationUnavailable, "the condition does not change just because the operator restarted");
        outcome.Message.ShouldBe("grafana backup failed: PUT on s3://b/: refused; influxdb backup failed: InfluxDB GET backup/metadata: 500");
    }

    [Fact]
    public void A_destination_failure_is_reported_first_and_a_success_clears_the_error()
    {
        var stack = Stack();
        stack.Spec.Backup!.InfluxDb = new InfluxDbBackupSpec { Destination = stack.Spec.Backup.Grafana!.Destination };
        var key = BackupResults.KeyOf(stack);
        results.Set(key, BackupKinds.InfluxDb, new BackupRecord(Now, LastError: "influxdb backup failed: InfluxDB GET backup/metadata: 500", LastReason: BackupReasons.BackupFailed, Failures: 1));
        results.Set(key, BackupKinds.Grafana, new BackupRecord(Now, LastError: "grafana backup failed: PUT on s3://b/: refused", LastReason: BackupReasons.DestinationUnavailable, Failures: 3, NextDue: Now.AddMinutes(2)));
        var outcome = step.Report(stack);
        outcome.Done.ShouldBeFalse();
        outcome.Reason.ShouldBe(BackupReasons.DestinationUnavailable);
        outcome.Message.ShouldBe("grafana backup failed: PUT on s3://b/: refused; influxdb backup failed: InfluxDB GET backup/metadata: 500");
        outcome.RequeueAfter.ShouldBe(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(5));

        results.Set(key, BackupKinds.Grafana, new BackupRecord(Now, LastSuccess: Now, LastSnapshot: "grafana/20250601T030000Z", NextDue: Now.AddMinutes(5)));
        results.Set(key, BackupKinds.InfluxDb, new BackupRecord(Now, LastSuccess: Now, LastSnapshot: "influxdb/20250601T030000Z", Running: true));
        var ok = step.Report(stack);
        ok.Done.ShouldBeTrue();
        ok.Reason.ShouldBe(BackupReasons.Succeeded);
        ok.RequeueAfter.ShouldBe(BackupStep.RunningRequeue);
        var status = new MetricsStackStatus();
        ok.ApplyStatus!(status);
        status.Backup!.InfluxDb!.LastError.ShouldBeNull();
        status.Backup.InfluxDb.LastSnapshot.ShouldBe("influxdb/20250601T030000Z");
    }

    private static V1Alpha1MetricsStack Stack() => new()
    {
        Metadata = new V1ObjectMeta { Name = "metrics", NamespaceProperty = "observability" },
        Spec = new MetricsStackSpec
        {
            Backup = new BackupSpec
            {
                Grafana = new GrafanaBackupSpec { Destination = new BackupDestination { S3 = new S3Destination { Bucket = "bkt" } } },
            },
        },
    };
}

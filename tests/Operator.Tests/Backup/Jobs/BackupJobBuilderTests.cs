using k8s.Models;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Jobs;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Stacks;

namespace MetricsOperator.Tests.Backup.Jobs;

public class BackupJobBuilderTests
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 3, 0, 0, TimeSpan.Zero);

    private static V1Alpha1MetricsStack Stack(string name = "metrics")
    {
        var stack = SchemaDefaults.Applied(MetricsOperator.Tests.Stacks.Stacks.FullSampleWith(spec =>
        {
            spec.Backup!.Grafana!.Destination = new BackupDestination { Pvc = new PvcDestination { ClaimName = "grafana-backups" } };
        }));
        stack.Metadata.Name = name;
        stack.Metadata.Uid = "0b7a4c1e-0000-4000-8000-000000000001";
        return stack;
    }

    private static V1Job Build(string kind, V1Alpha1MetricsStack? stack = null) =>
        BackupJobBuilder.Build(stack ?? Stack(), kind, new BackupJobSettings("ghcr.io/lsst-sqre/metrics-operator:1.0.0", new Uri("http://metrics-influxdb.metrics.svc:8086"), TimeSpan.FromHours(6)), At, "ab1cd");

    [Fact]
    public void The_job_runs_the_backup_command_once_with_the_claim_mounted_where_the_command_writes()
    {
        var job = Build(BackupKinds.InfluxDb);
        var pod = job.Spec.Template.Spec;
        var container = pod.Containers.ShouldHaveSingleItem();

        job.Metadata.Name.ShouldBe("metrics-influxdb-backup-20250601030000-ab1cd");
        job.Spec.BackoffLimit.ShouldBe(0, "the scheduler retries and reports each failure itself");
        job.Spec.ActiveDeadlineSeconds.ShouldBe(6 * 3600);
        pod.RestartPolicy.ShouldBe("Never");
        container.Image.ShouldBe("ghcr.io/lsst-sqre/metrics-operator:1.0.0");
        container.Args.ShouldBe(["backup", "influxdb", "--dir", "/backup", "--influxdb-url", "http://metrics-influxdb.metrics.svc:8086/", "--keep", "7", "--max-age-days", "14",
            "--stack", "metrics/metrics", "--result-file", "/dev/termination-log"]);
        container.TerminationMessagePath.ShouldBe(BackupJobBuilder.TerminationMessagePath);
        container.TerminationMessagePolicy.ShouldBe("FallbackToLogsOnError");
        var mount = container.VolumeMounts.Single(m => m.MountPath == BackupJobBuilder.MountPath);
        pod.Volumes.Single(v => v.Name == mount.Name).PersistentVolumeClaim.ClaimName.ShouldBe("influxdb-backups");
    }

    [Fact]
    public void Credentials_reach_the_pod_by_secret_reference_only()
    {
        var grafana = Build(BackupKinds.Grafana).Spec.Template.Spec.Containers[0];
        var influx = Build(BackupKinds.InfluxDb).Spec.Template.Spec.Containers[0];

        grafana.Env.Concat(influx.Env).ShouldAllBe(e => e.Value == null && e.ValueFrom.SecretKeyRef != null);
        grafana.Env.Select(e => (e.Name, e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key, e.ValueFrom.SecretKeyRef.Optional)).ShouldBe(
        [
            ("GRAFANA_TOKEN", "metrics-grafana-admin", "token", true),
            ("GRAFANA_USER", "metrics-grafana-admin", "username", true),
            ("GRAFANA_PASSWORD", "metrics-grafana-admin", "password", true),
        ]);
        influx.Env.Select(e => (e.Name, e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key, e.ValueFrom.SecretKeyRef.Optional)).ShouldBe(
            [("INFLUX_TOKEN", "influxdb-admin", StackNames.AdminTokenKey, false)], "the sample names its own admin Secret (existingAdminSecret)");
        // Restores put back contact points from these Secrets, so the snapshot records them (the sample's three).
        string.Join(' ', grafana.Args).ShouldContain("--keep 96 --max-age-days 30");
        string.Join(' ', grafana.Args).ShouldContain("--contact-point-secret rubin-square-alerts=grafana-contact-points");
        grafana.Args.Count(a => a == "--contact-point-secret").ShouldBe(3);
        influx.Args.ShouldNotContain("--contact-point-secret", "the influxdb command has no such option");
    }

    [Theory]
    [InlineData(BackupKinds.Grafana)]
    [InlineData(BackupKinds.InfluxDb)]
    public void The_operators_own_command_line_accepts_the_jobs_arguments(string kind)
    {
        var parsed = MetricsOperator.Cli.CommandLine.Parse(Build(kind).Spec.Template.Spec.Containers[0].Args.ToList());

        parsed.Errors.Select(e => e.Message).ShouldBeEmpty();
        parsed.CommandResult.Command.Name.ShouldBe(kind);
        parsed.UnmatchedTokens.ShouldBeEmpty();
    }

    [Fact]
    public void The_pod_meets_the_restricted_profile_and_cannot_reach_the_kubernetes_api()
    {
        var pod = Build(BackupKinds.Grafana).Spec.Template.Spec;
        var container = pod.Containers[0];

        pod.AutomountServiceAccountToken.ShouldBe(false);
        pod.SecurityContext.RunAsNonRoot.ShouldBe(true);
        pod.SecurityContext.RunAsUser.ShouldBe(PodSecurity.OperatorUser);
        pod.SecurityContext.FsGroup.ShouldBe(PodSecurity.OperatorUser, "the claim must be writable by the image's user");
        pod.SecurityContext.SeccompProfile.Type.ShouldBe("RuntimeDefault");
        container.SecurityContext.AllowPrivilegeEscalation.ShouldBe(false);
        container.SecurityContext.ReadOnlyRootFilesystem.ShouldBe(true);
        container.SecurityContext.Capabilities.Drop.ShouldBe(["ALL"]);
        container.VolumeMounts.ShouldContain(m => m.MountPath == "/tmp");
        string.Join(",", container.Resources.Limits.Keys.Order()).ShouldBe("cpu,memory", "a ResourceQuota that requires limits admits it");
        pod.SecurityContext.FsGroupChangePolicy.ShouldBe("OnRootMismatch", "not a walk over every snapshot file at each start");
        pod.ImagePullSecrets.ShouldBeNull();
        container.ImagePullPolicy.ShouldBe("IfNotPresent");
    }

    [Fact]
    public void The_pull_policy_and_pull_secrets_are_the_operators()
    {
        var settings = new BackupJobSettings("registry.example/mo:1", new Uri("http://grafana:3000"), TimeSpan.FromMinutes(15))
        {
            ImagePullPolicy = "Always",
            ImagePullSecrets = ["pull-secret"],
        };
        var pod = BackupJobBuilder.Build(Stack(), BackupKinds.Grafana, settings, At, "ab1cd").Spec.Template.Spec;

        pod.Containers[0].ImagePullPolicy.ShouldBe("Always");
        pod.ImagePullSecrets.ShouldHaveSingleItem().Name.ShouldBe("pull-secret");
    }

    [Fact]
    public void The_job_is_owned_by_the_stack_and_found_again_by_its_labels()
    {
        var stack = Stack();
        var job = Build(BackupKinds.Grafana, stack);

        job.Metadata.OwnerReferences.ShouldHaveSingleItem().Uid.ShouldBe(stack.Metadata.Uid);
        job.Spec.Template.Metadata.Labels.ShouldBe(job.Metadata.Labels);
        var selector = BackupJobBuilder.Selector(stack, BackupKinds.Grafana).Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        selector.ShouldAllBe(p => job.Metadata.Labels[p.Key] == p.Value);
        BackupJobBuilder.Selector(stack, BackupKinds.InfluxDb).ShouldNotBe(BackupJobBuilder.Selector(stack, BackupKinds.Grafana));
    }

    [Theory]
    [InlineData("metrics")]
    [InlineData("a-stack-name-long-enough-that-the-job-name-would-pass-sixty-three")]
    [InlineData("a-stack-name-long-enough-that-the-job-name-would-pass-sixty-four")]
    public void Job_names_fit_the_job_name_label_and_differ_between_stacks(string name)
    {
        var jobName = BackupJobBuilder.Name(Stack(name), BackupKinds.InfluxDb, At, "ab1cd");

        jobName.Length.ShouldBeLessThanOrEqualTo(63);
        jobName.ShouldEndWith("-influxdb-backup-20250601030000-ab1cd");
        jobName.ShouldMatch("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
        if (name.Length > 20)
        {
            BackupJobBuilder.Name(Stack(name + "x"), BackupKinds.InfluxDb, At, "ab1cd").ShouldNotBe(jobName);
        }
    }

    [Fact]
    public void InfluxDB_lets_its_own_backup_pods_in_only_when_its_backup_goes_to_a_claim()
    {
        static bool Admits(V1Alpha1MetricsStack stack, IDictionary<string, string> podLabels) =>
            NetworkPolicyBuilder.InfluxDb(DefaultedStack.Of(stack), StackBuildOptions.Default).Spec.Ingress[0].FromProperty
                .Any(p => p.NamespaceSelector is null && p.PodSelector.MatchLabels.All(l => podLabels.TryGetValue(l.Key, out var v) && v == l.Value));
        static bool BackupPodsAllowed(V1Alpha1MetricsStack stack) => Admits(stack, BackupJobBuilder.Labels(stack, BackupKinds.InfluxDb));

        BackupPodsAllowed(Stack()).ShouldBeTrue();
        Admits(Stack(), BackupJobBuilder.Labels(Stack(), BackupKinds.Grafana)).ShouldBeFalse("Grafana's backup pods hold Grafana's admin credentials and need no InfluxDB");
        BackupPodsAllowed(MetricsOperator.Tests.Stacks.Stacks.FullSampleWith(spec => spec.Backup!.InfluxDb!.Destination = new BackupDestination { S3 = new S3Destination { Bucket = "b" } })).ShouldBeFalse();
        BackupPodsAllowed(MetricsOperator.Tests.Stacks.Stacks.MinimalSample()).ShouldBeFalse();
    }

    [Fact]
    public void A_result_round_trips_and_always_fits_a_termination_message()
    {
        var deleted = Enumerable.Range(0, 500).Select(i => $"2025{i:D4}T030000Z").ToList();
        var result = BackupJobResult.Succeeded(new BackupRunResult("20250601T030000Z", true, 1234, deleted));

        var json = result.ToJson();
        System.Text.Encoding.UTF8.GetByteCount(json).ShouldBeLessThanOrEqualTo(BackupJobResult.MaxBytes);
        var back = BackupJobResult.Parse(json)!.ToRunResult()!;
        back.Snapshot.ShouldBe("20250601T030000Z");
        back.Written.ShouldBeTrue();
        back.Bytes.ShouldBe(1234);
        back.Deleted.ShouldBeSubsetOf(deleted);

        var failed = BackupJobResult.Failed(BackupReasons.DestinationUnavailable, new string('x', 10_000));
        var parsed = BackupJobResult.Parse(failed.ToJson())!;
        parsed.ToRunResult().ShouldBeNull();
        parsed.Reason.ShouldBe(BackupReasons.DestinationUnavailable);
        System.Text.Encoding.UTF8.GetByteCount(failed.ToJson()).ShouldBeLessThanOrEqualTo(BackupJobResult.MaxBytes);
        BackupJobResult.Parse("Unhandled exception. System.Exception: boom").ShouldBeNull("a log tail is not a result");
        BackupJobResult.Parse("").ShouldBeNull();
    }
}

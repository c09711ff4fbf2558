using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Backup.Jobs;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Integration;

namespace MetricsOperator.Tests.Backup.Jobs;

/// <summary>Points the backup Jobs at the fakes (the emulated pod runs on this machine).</summary>
internal sealed class FakeSources(GrafanaFake grafana, InfluxFake influx) : IStackEndpoints
{
    public Uri InfluxDb(V1Alpha1MetricsStack stack) => influx.BaseUri;

    public Uri Grafana(V1Alpha1MetricsStack stack) => grafana.BaseUri;
}

/// <summary>
/// Backups to a PersistentVolumeClaim: the runner, as the operator's ServiceAccount with only the generated roles,
/// creates a Job on the real API server; <see cref="JobEmulator"/> runs it with the operator's real binary against
/// the Grafana and InfluxDB fakes, a local folder standing for the claim; the runner reads the outcome back.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class PvcBackupJobTests(ApiServerFixture fixture) : IAsyncLifetime, IDisposable
{
    private const string Claim = "metrics-backups";
    private const string StackName = "metrics";
    private const string InfluxAdminSecret = "influxdb-admin-given";
    private const string GrafanaCredentialsSecret = "grafana-credentials";
    private readonly string grafanaPassword = $"pw-{Guid.NewGuid():N}";
    private string ns = "";
    private KubeApi admin = null!;
    private KubeApi operatorApi = null!;
    private GrafanaFake grafana = null!;
    private InfluxFake influx = null!;
    private InfluxOnboarding onboarding = null!;
    private JobEmulator emulator = null!;

    public async Task InitializeAsync()
    {
        var plane = fixture.Plane;
        ns = await plane.CreateNamespaceAsync("pvc-backup");
        await ClusterSetup.BindStackNamespaceAsync(plane, ns);
        admin = new KubeApi(plane.CreateClient(Identity.Admin), ownsClient: true);
        operatorApi = new KubeApi(plane.ClientConfiguration(Identity.Operator));
        grafana = await GrafanaFake.StartNewAsync();
        grafana.AdminPassword = grafanaPassword;
        using (var api = new GrafanaConfigApi(grafana.BaseUri, MetricsOperator.Grafana.GrafanaCredentials.Basic("admin", grafanaPassword), TimeSpan.FromSeconds(10)))
        {
            await GrafanaSeed.FillAsync(api);
        }

        influx = await InfluxFake.StartNewAsync();
        onboarding = influx.Onboard();
        await WriteAsync("requests,app=butler latency=12.5 1700000000000000000\n");
        emulator = new JobEmulator(admin, plane.AdminClient, ns);
    }

    public async Task DisposeAsync()
    {
        await grafana.DisposeAsync();
        await influx.DisposeAsync();
    }

    public void Dispose()
    {
        operatorApi.Dispose();
        admin.Dispose();
    }

    [Fact]
    public async Task A_grafana_backup_to_a_claim_runs_as_a_job_and_the_snapshot_lands_on_the_claim()
    {
        var stack = await CreateStackAsync();
        var runner = Runner();

        var (result, run) = await RunWithEmulatorAsync(runner, stack, BackupKinds.Grafana);

        run.ExitCode.ShouldBe(0, run.Output);
        result.Written.ShouldBeTrue();
        var store = new SnapshotStore(new DirectoryBackupDestination(emulator.ClaimFolder(Claim)), SnapshotNames.Grafana);
        var latest = (await store.LatestAsync(default))!.Value;
        latest.Name.ShouldBe(result.Snapshot, "the operator reports the snapshot the Job wrote on the claim");
        latest.Manifest.Stack.ShouldBe($"{ns}/{StackName}");
        // The stack's Grafana is external (shared): the Job backs up only what environment idfdev owns there, and the
        // seeded folders, dashboards and policy tree belong to no environment.
        run.Job.Spec.Template.Spec.Containers.Single().Args.ShouldContain("--environment");
        latest.Manifest.Environment.ShouldBe("idfdev");
        latest.Manifest.Files.ShouldNotContain(f => f.Path.StartsWith("dashboards/", StringComparison.Ordinal) || f.Path.StartsWith("folders/", StringComparison.Ordinal),
            "nothing of the seed is idfdev's");
        (await admin.GetAsync<V1Job>(ns, run.Job.Metadata.Name)).ShouldBeNull("a Job that succeeded is deleted once its result is read");

        // What the API server stored: credentials by reference only, the claim mounted, the restricted pod profile.
        var json = KubernetesJson.Serialize(run.Job);
        json.ShouldNotContain(grafanaPassword);
        (run.TerminationMessage + run.Output).ShouldNotContain(grafanaPassword, Case.Sensitive, "what the pod reports back holds no secret");
        run.Environment["GRAFANA_PASSWORD"].ShouldBe(grafanaPassword, "the pod gets the password from the Secret the Job names");
        run.Job.Spec.Template.Spec.Volumes.ShouldContain(v => v.PersistentVolumeClaim != null && v.PersistentVolumeClaim.ClaimName == Claim);
        run.Job.Metadata.OwnerReferences.ShouldContain(o => o.Kind == "MetricsStack" && o.Uid == stack.Metadata.Uid);

        // Unchanged Grafana: the next Job writes nothing and reports the same snapshot.
        var (again, _) = await RunWithEmulatorAsync(runner, stack, BackupKinds.Grafana);
        again.Written.ShouldBeFalse();
        again.Snapshot.ShouldBe(result.Snapshot);
        (await store.ListAsync(default)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_influxdb_backup_to_a_claim_puts_every_shard_on_the_claim()
    {
        var stack = await CreateStackAsync();

        var (result, run) = await RunWithEmulatorAsync(Runner(), stack, BackupKinds.InfluxDb);

        run.ExitCode.ShouldBe(0, run.Output);
        KubernetesJson.Serialize(run.Job).ShouldNotContain(onboarding.Token);
        var store = new SnapshotStore(new DirectoryBackupDestination(emulator.ClaimFolder(Claim)), SnapshotNames.InfluxDb);
        var manifest = (await store.ReadManifestAsync(result.Snapshot, default))!;
        manifest.Files.Select(f => f.Path).ShouldContain(InfluxBackup.ShardFile(onboarding.Bucket.ShardId));
        (await store.VerifyAsync(result.Snapshot, default)).ShouldNotBeNull("every file on the claim matches its manifest hash");
        influx.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_failed_job_reports_the_reason_from_its_termination_message_in_words_that_do_not_change_between_retries()
    {
        var stack = await CreateStackAsync();
        var runner = Runner();
        grafana.AdminPassword = "changed-behind-the-operators-back";

        var runTask = runner.RunAsync(stack, BackupKinds.Grafana, default);
        var run = await emulator.RunNextAsync();
        var failure = await Should.ThrowAsync<BackupJobException>(runTask);

        run.ExitCode.ShouldBe(1);
        failure.Reason.ShouldBe(BackupReasons.BackupFailed);
        failure.Message.ShouldContain("401");
        failure.Message.ShouldNotContain(run.Job.Metadata.Name, Case.Sensitive, "each run's Job has its own name; BackupReady's message must not change with it");
        BackupRun.ReasonOf(failure).ShouldBe(BackupReasons.BackupFailed);
        (await admin.GetAsync<V1Job>(ns, run.Job.Metadata.Name)).ShouldBeNull("a read Job is deleted, failed or not (its error is in the message)");

        // The retry fails the same way: the same words, so the condition and its Event stay the same.
        var retryTask = runner.RunAsync(stack, BackupKinds.Grafana, default);
        await emulator.RunNextAsync();
        (await Should.ThrowAsync<BackupJobException>(retryTask)).Message.ShouldBe(failure.Message);

        grafana.AdminPassword = grafanaPassword;
        var (result, next) = await RunWithEmulatorAsync(runner, stack, BackupKinds.Grafana);
        result.Written.ShouldBeTrue();
        next.Job.Metadata.Uid.ShouldNotBe(run.Job.Metadata.Uid);
    }

    [Fact]
    public async Task A_pod_that_cannot_start_is_reported_with_the_kubelets_reason_long_before_the_jobs_deadline()
    {
        var stack = await CreateStackAsync(influxTokenKey: false);
        var runner = new PvcJobBackupRunner(operatorApi, new FakeSources(grafana, influx), new BackupJobOptions
        {
            Image = "ghcr.io/lsst-sqre/metrics-operator:test",
            PollInterval = TimeSpan.FromMilliseconds(100),
            StuckGrace = TimeSpan.FromMilliseconds(500),
        });

        var runTask = runner.RunAsync(stack, BackupKinds.InfluxDb, default);
        var run = await emulator.RunNextAsync();
        var failure = await Should.ThrowAsync<BackupJobException>(runTask.WaitAsync(TimeSpan.FromSeconds(30)));

        run.CannotStart.ShouldBe("CreateContainerConfigError");
        failure.Reason.ShouldBe(BackupReasons.CredentialsMissing);
        failure.Message.ShouldBe($"the backup Job's pod cannot start: CreateContainerConfigError: couldn't find key {StackNames.AdminTokenKey} in Secret {ns}/{StackNames.InfluxDbAdminSecret(stack)}");
        (await admin.GetAsync<V1Job>(ns, run.Job.Metadata.Name)).ShouldBeNull("the Job that cannot start is deleted, so it holds the claim no longer");
    }

    [Fact]
    public async Task A_job_that_finished_while_the_operator_was_away_is_read_not_run_again()
    {
        var stack = await CreateStackAsync();
        await StartAndStopTheOperatorAsync(stack);

        // The Job finishes with nobody waiting; the next run reports it instead of starting another.
        var finished = await emulator.RunNextAsync();
        var result = await Runner().RunAsync(stack, BackupKinds.Grafana, default).WaitAsync(TimeSpan.FromSeconds(30));

        var onClaim = (await new SnapshotStore(new DirectoryBackupDestination(emulator.ClaimFolder(Claim)), SnapshotNames.Grafana).LatestAsync(default))!.Value;
        result.Snapshot.ShouldBe(onClaim.Name);
        result.FinishedAt.ShouldNotBeNull("an earlier Job reports when it really finished, so the cadence counts from then");
        result.StartedAt.ShouldNotBeNull();
        result.FinishedAt!.Value.ShouldBeLessThanOrEqualTo(DateTimeOffset.UtcNow);
        (await admin.ListAsync<V1Job>(ns)).Items.ShouldBeEmpty("no second Job was made, and the read one is deleted");
        (await admin.ListAsync<V1Pod>(ns)).Items.Select(p => p.Metadata.Labels["controller-uid"]).ShouldBe([finished.Job.Metadata.Uid], "one Job ever ran");
    }

    [Fact]
    public async Task A_job_still_running_when_the_operator_restarts_is_adopted_not_started_twice()
    {
        var stack = await CreateStackAsync();
        var started = await StartAndStopTheOperatorAsync(stack);
        (await emulator.PendingJobsAsync())!.Count.ShouldBe(1, "a stopped operator leaves its Job running");

        // A new operator process: its runner finds the running Job and waits for it.
        var second = Runner().RunAsync(stack, BackupKinds.Grafana, default);
        await Task.Delay(500);
        var all = (await admin.ListAsync<V1Job>(ns)).Items;
        all.Count.ShouldBe(1, "no second Job while one is running");
        await emulator.RunAsync(all[0]);
        var result = await second.WaitAsync(TimeSpan.FromSeconds(30));
        result.Written.ShouldBeTrue();
        started.Metadata.Uid.ShouldBe(all[0].Metadata.Uid);
        (await admin.ListAsync<V1Job>(ns)).Items.ShouldBeEmpty("the adopted Job was the only one, and it is deleted once read");
    }

    [Fact]
    public async Task A_finished_job_on_a_claim_the_spec_no_longer_names_is_not_taken_for_this_runs_outcome()
    {
        var stack = await CreateStackAsync();
        await StartAndStopTheOperatorAsync(stack);

        var old = await emulator.RunNextAsync();
        stack.Spec.Backup!.Grafana!.Destination.Pvc!.ClaimName = "other-backups";
        await admin.CreateAsync(ClaimNamed("other-backups"));

        var runTask = Runner().RunAsync(stack, BackupKinds.Grafana, default);
        var fresh = await emulator.RunNextAsync();
        var result = await runTask.WaitAsync(TimeSpan.FromSeconds(30));

        fresh.Job.Metadata.Uid.ShouldNotBe(old.Job.Metadata.Uid, "a new Job writes the claim the spec names now");
        result.StartedAt.ShouldBeNull("the run's own Job");
        Directory.EnumerateFiles(emulator.ClaimFolder("other-backups"), "manifest.json", SearchOption.AllDirectories).ShouldHaveSingleItem();
        (await admin.GetAsync<V1Job>(ns, old.Job.Metadata.Name)).ShouldBeNull("the old claim's Job is cleaned up");
    }

    [Theory]
    [InlineData("ErrImagePull", "rpc error: pull access denied")]
    [InlineData("ImagePullBackOff", "Back-off pulling image")]
    public async Task An_image_that_cannot_be_pulled_is_reported_in_the_same_words_whichever_the_kubelet_says(string reason, string kubeletMessage)
    {
        var stack = await CreateStackAsync();
        var runner = new PvcJobBackupRunner(operatorApi, new FakeSources(grafana, influx), new BackupJobOptions
        {
            Image = "registry.example/private/metrics-operator:1",
            PollInterval = TimeSpan.FromMilliseconds(100),
            StuckGrace = TimeSpan.FromMilliseconds(300),
        });

        var runTask = runner.RunAsync(stack, BackupKinds.Grafana, default);
        var job = (await Eventually.UntilAsync(emulator.PendingJobsAsync, j => j!.Count == 1, "the Job"))![0];
        await emulator.LeaveWaitingAsync(job, reason, kubeletMessage);
        var failure = await Should.ThrowAsync<BackupJobException>(runTask.WaitAsync(TimeSpan.FromSeconds(30)));

        failure.Reason.ShouldBe(BackupReasons.BackupFailed);
        failure.Message.ShouldBe("the backup Job's pod cannot pull its image registry.example/private/metrics-operator:1: check --backup-image, its pull policy and the pull Secret in the stack's namespace");
        (await admin.GetAsync<V1Job>(ns, job.Metadata.Name)).ShouldBeNull();
    }

    [Fact]
    public async Task A_pod_left_in_ContainerCreating_is_reported_after_the_start_timeout_not_the_shorter_grace()
    {
        var stack = await CreateStackAsync();
        var runner = new PvcJobBackupRunner(operatorApi, new FakeSources(grafana, influx), new BackupJobOptions
        {
            Image = "ghcr.io/lsst-sqre/metrics-operator:test",
            PollInterval = TimeSpan.FromMilliseconds(100),
            StuckGrace = TimeSpan.FromMilliseconds(100),
            StartTimeout = TimeSpan.FromSeconds(2),
        });

        var runTask = runner.RunAsync(stack, BackupKinds.Grafana, default);
        var job = (await Eventually.UntilAsync(emulator.PendingJobsAsync, j => j!.Count == 1, "the Job"))![0];
        await emulator.LeaveWaitingAsync(job, "ContainerCreating", "");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var failure = await Should.ThrowAsync<BackupJobException>(runTask.WaitAsync(TimeSpan.FromSeconds(30)));

        waited.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(1.5), "ContainerCreating gets StartTimeout, not StuckGrace");
        failure.Message.ShouldContain("did not start within 00:00:02 (ContainerCreating)");
        failure.Message.ShouldContain("ReadWriteOnce claim in use on another node");
    }

    [Fact]
    public async Task A_claim_that_does_not_exist_is_reported_with_the_field_and_no_job_is_made()
    {
        var stack = await CreateStackAsync(createClaim: false);

        var failure = await Should.ThrowAsync<BackupSetupException>(() => Runner().RunAsync(stack, BackupKinds.Grafana, default));

        failure.Reason.ShouldBe(BackupReasons.DestinationUnavailable);
        failure.Message.ShouldContain($"spec.backup.grafana.destination.pvc.claimName: PersistentVolumeClaim {ns}/{Claim} does not exist");
        (await admin.ListAsync<V1Job>(ns)).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Without_the_operators_image_no_job_is_made_and_the_error_says_which_flag()
    {
        var stack = await CreateStackAsync();
        var runner = new PvcJobBackupRunner(operatorApi, new FakeSources(grafana, influx), new BackupJobOptions { PollInterval = TimeSpan.FromMilliseconds(100) });

        var failure = await Should.ThrowAsync<BackupSetupException>(() => runner.RunAsync(stack, BackupKinds.Grafana, default));

        failure.Message.ShouldContain("--backup-image");
        (await admin.ListAsync<V1Job>(ns)).Items.ShouldBeEmpty();
    }

    /// <summary>A Grafana run that creates its Job, then its operator stops (the run is cancelled): the Job it leaves.</summary>
    private async Task<V1Job> StartAndStopTheOperatorAsync(V1Alpha1MetricsStack stack)
    {
        using var stopped = new CancellationTokenSource();
        var first = Runner().RunAsync(stack, BackupKinds.Grafana, stopped.Token);
        var jobs = await Eventually.UntilAsync(emulator.PendingJobsAsync, j => j!.Count == 1, "the first run's Job");
        await stopped.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(first);
        return jobs![0];
    }

    private PvcJobBackupRunner Runner() =>
        new(operatorApi, new FakeSources(grafana, influx), new BackupJobOptions { Image = "ghcr.io/lsst-sqre/metrics-operator:test", PollInterval = TimeSpan.FromMilliseconds(100) });

    private async Task<(BackupRunResult Result, EmulatedRun Run)> RunWithEmulatorAsync(PvcJobBackupRunner runner, V1Alpha1MetricsStack stack, string kind)
    {
        var runTask = runner.RunAsync(stack, kind, default);
        var run = await emulator.RunNextAsync();
        return (await runTask, run);
    }

    private async Task<V1Alpha1MetricsStack> CreateStackAsync(bool createClaim = true, bool influxTokenKey = true)
    {
        var destination = new { pvc = new { claimName = Claim } };
        var json = JsonSerializer.Serialize(new
        {
            apiVersion = "metrics.lsst.io/v1alpha1",
            kind = "MetricsStack",
            metadata = new { name = StackName, @namespace = ns },
            // The credentials come from Secrets the user made (an existing InfluxDB admin Secret, an external Grafana's
            // credentials), never from Secrets a fixture made in the operator's place.
            spec = new
            {
                influxdb = new { existingAdminSecret = new { name = InfluxAdminSecret } },
                environment = "idfdev",
                grafana = new { mode = "external", url = "http://grafana.example:3000", credentialsSecret = new { name = GrafanaCredentialsSecret } },
                backup = new { grafana = new { destination, keep = 3 }, influxdb = new { destination } },
            },
        });
        var created = (await admin.CreateAsync(KubernetesJson.Deserialize<V1Alpha1MetricsStack>(json)))!;
        await SecretAsync(GrafanaCredentialsSecret, new() { [StackNames.GrafanaUserKey] = "admin", [StackNames.GrafanaPasswordKey] = grafanaPassword });
        var influxAdmin = new Dictionary<string, string> { [StackNames.AdminPasswordKey] = "unused" };
        if (influxTokenKey)
        {
            influxAdmin[StackNames.AdminTokenKey] = onboarding.Token;
        }

        await SecretAsync(InfluxAdminSecret, influxAdmin);
        if (createClaim)
        {
            await admin.CreateAsync(ClaimNamed(Claim));
        }

        return SchemaDefaults.Applied(created);
    }

    private V1PersistentVolumeClaim ClaimNamed(string name) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
        },
    };

    private Task<V1Secret?> SecretAsync(string name, Dictionary<string, string> data) =>
        admin.CreateAsync(new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Data = data.ToDictionary(p => p.Key, p => Encoding.UTF8.GetBytes(p.Value)),
        });

    private Task WriteAsync(string lines) => InfluxWrites.WriteAsync(influx, onboarding.Token, lines);
}

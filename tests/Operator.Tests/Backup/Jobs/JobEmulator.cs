using System.Diagnostics;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.TestSupport.Kubelet;

namespace MetricsOperator.Tests.Backup.Jobs;

/// <summary>What one emulated Job run did; <see cref="CannotStart"/> is the kubelet's reason when the container never started.</summary>
internal sealed record EmulatedRun(V1Job Job, int ExitCode, string TerminationMessage, string Output, IReadOnlyDictionary<string, string> Environment, string? CannotStart = null);

/// <summary>
/// Plays the job controller and the kubelet for backup Jobs, which the test API server has not got: it takes a Job
/// the operator created, checks what the kubelet would refuse (a claim that does not exist, a required Secret key
/// that is missing), runs the container's arguments with the operator's real binary as a child process (its
/// environment resolved from the Secrets the Job names, each volume mount mapped to a local folder standing for the
/// claim, the termination message file to a temporary file), then writes what the controllers would: a Pod with the
/// job controller's labels and the container's terminated state and message, and the Job's status. A required
/// Secret key that is missing leaves the pod waiting in CreateContainerConfigError with the kubelet's message, and
/// the Job without an outcome, as on a cluster.
/// </summary>
internal sealed class JobEmulator(KubeApi admin, IKubernetes adminClient, string ns)
{
    private readonly Dictionary<string, string> claims = new(StringComparer.Ordinal);

    /// <summary>The local folder standing for <paramref name="claim"/> (made on first use).</summary>
    public string ClaimFolder(string claim)
    {
        if (!claims.TryGetValue(claim, out var folder))
        {
            folder = Path.Combine(Path.GetTempPath(), "metrics-operator-claims", $"{ns}-{claim}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(folder);
            claims[claim] = folder;
        }

        return folder;
    }

    /// <summary>Jobs in the namespace the emulator has not finished yet.</summary>
    public async Task<IReadOnlyList<V1Job>?> PendingJobsAsync() =>
        [.. (await admin.ListAsync<V1Job>(ns)).Items.Where(j => j.Status?.Conditions is not { Count: > 0 } && j.Metadata.DeletionTimestamp is null)];

    /// <summary>Waits for a Job without an outcome and runs it.</summary>
    public async Task<EmulatedRun> RunNextAsync()
    {
        var jobs = await Eventually.UntilAsync(PendingJobsAsync, j => j!.Count > 0, "a backup Job to run");
        return await RunAsync(jobs![0]);
    }

    /// <summary>Runs <paramref name="job"/>'s one container to the end and records the outcome as the controllers would.</summary>
    public async Task<EmulatedRun> RunAsync(V1Job job)
    {
        var pod = job.Spec.Template.Spec;
        pod.Containers.Count.ShouldBe(1, "a backup Job has one container");
        pod.RestartPolicy.ShouldBe("Never");
        var container = pod.Containers[0];
        // The kubelet's (and admission's) verdict, as for every other workload: restricted Pod Security, claims, Secret keys.
        await EnsureDefaultServiceAccountAsync();
        var verdict = PodStartCheck.Check($"{job.Metadata.Name}-{job.Metadata.Uid[..5]}", ns, pod, await PodReferences.LoadAsync(adminClient, ns, pod));
        verdict.Stage.ShouldNotBe(PodStage.Forbidden, verdict.Message);
        verdict.Stage.ShouldNotBe(PodStage.Unschedulable, verdict.Message);
        if (verdict.Stage == PodStage.CreateContainerConfigError)
        {
            await RecordCannotStartAsync(job, container, verdict.Reason, verdict.Message);
            return new EmulatedRun(job, -1, "", "", new Dictionary<string, string>(), verdict.Reason);
        }

        var mounts = MountFolders(pod, container);
        // Only what the container spec gives, plus what the .NET host needs to start: nothing leaks in from the test process.
        var environment = new Dictionary<string, string>(verdict.Environment[container.Name], StringComparer.Ordinal);

        var termination = Path.GetTempFileName();
        var args = container.Args.Select(a => a == container.TerminationMessagePath ? termination : Mapped(a, mounts)).ToList();

        var (exitCode, output) = await RunOperatorAsync(args, environment);
        var message = await File.ReadAllTextAsync(termination);
        File.Delete(termination);
        if (message.Length == 0 && exitCode != 0 && container.TerminationMessagePolicy == "FallbackToLogsOnError")
        {
            // The kubelet's fallback: the end of the log, at most 2048 bytes or 80 lines.
            var lines = output.Split('\n');
            message = string.Join('\n', lines.TakeLast(80));
            message = message.Length > 2048 ? message[^2048..] : message;
        }

        await RecordAsync(job, container, exitCode, message);
        return new EmulatedRun(job, exitCode, message, output, environment);
    }

    private Dictionary<string, string> MountFolders(V1PodSpec pod, V1Container container)
    {
        var mounts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mount in container.VolumeMounts ?? [])
        {
            var volume = pod.Volumes.Single(v => v.Name == mount.Name);
            if (volume.PersistentVolumeClaim is { } claim)
            {
                mounts[mount.MountPath] = ClaimFolder(claim.ClaimName);
            }
            else
            {
                volume.EmptyDir.ShouldNotBeNull($"volume {volume.Name}: only claims and emptyDirs are expected");
                mounts[mount.MountPath] = Directory.CreateTempSubdirectory("emptydir-").FullName;
            }
        }

        return mounts;
    }

    private static string Mapped(string argument, Dictionary<string, string> mounts)
    {
        foreach (var (mountPath, folder) in mounts)
        {
            if (argument == mountPath || argument.StartsWith(mountPath + "/", StringComparison.Ordinal))
            {
                return folder + argument[mountPath.Length..];
            }
        }

        return argument;
    }

    private static async Task<(int ExitCode, string Output)> RunOperatorAsync(IEnumerable<string> args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "metrics-operator.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "DOTNET_ROOT", "TMPDIR" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the backup command ran over 60 s: {await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    // The service account controller's part: every namespace has its "default" ServiceAccount.
    private async Task EnsureDefaultServiceAccountAsync()
    {
        if (await admin.GetAsync<V1ServiceAccount>(ns, "default") is null)
        {
            await admin.CreateAsync(new V1ServiceAccount { ApiVersion = "v1", Kind = "ServiceAccount", Metadata = new V1ObjectMeta { Name = "default", NamespaceProperty = ns } });
        }
    }

    private async Task<V1Pod> CreatePodAsync(V1Job job)
    {
        // Admission wants the pod's ServiceAccount to exist (also for a pod left waiting without a run).
        await EnsureDefaultServiceAccountAsync();
        var labels = new Dictionary<string, string>(job.Spec.Template.Metadata.Labels, StringComparer.Ordinal)
        {
            ["controller-uid"] = job.Metadata.Uid,
            ["job-name"] = job.Metadata.Name,
        };
        return (await admin.CreateAsync(new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = $"{job.Metadata.Name}-{job.Metadata.Uid[..5]}",
                NamespaceProperty = ns,
                Labels = labels,
                OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = job.Metadata.Name, Uid = job.Metadata.Uid, Controller = true, BlockOwnerDeletion = true }],
            },
            Spec = job.Spec.Template.Spec,
        }))!;
    }

    /// <summary>Plays a kubelet that cannot start <paramref name="job"/>'s container: the pod waits with <paramref name="reason"/>.</summary>
    public Task LeaveWaitingAsync(V1Job job, string reason, string message) =>
        RecordCannotStartAsync(job, job.Spec.Template.Spec.Containers[0], reason, message);

    private async Task RecordCannotStartAsync(V1Job job, V1Container container, string reason, string message)
    {
        var pod = await CreatePodAsync(job);
        var status = new
        {
            status = new
            {
                phase = "Pending",
                containerStatuses = new[] { new { name = container.Name, image = container.Image, imageID = "", ready = false, restartCount = 0, state = new { waiting = new { reason, message } } } },
            },
        };
        await admin.PatchAsync<V1Pod>(ns, pod.Metadata.Name, PatchType.Merge, JsonSerializer.Serialize(status), subresource: "status");
    }

    private async Task RecordAsync(V1Job job, V1Container container, int exitCode, string message)
    {
        var now = DateTime.UtcNow;
        var pod = await CreatePodAsync(job);
        var succeeded = exitCode == 0;
        var podStatus = new
        {
            status = new
            {
                phase = succeeded ? "Succeeded" : "Failed",
                containerStatuses = new[]
                {
                    new
                    {
                        name = container.Name,
                        image = container.Image,
                        imageID = "",
                        ready = false,
                        restartCount = 0,
                        state = new { terminated = new { exitCode, reason = succeeded ? "Completed" : "Error", message, startedAt = now, finishedAt = now } },
                    },
                },
            },
        };
        await admin.PatchAsync<V1Pod>(ns, pod.Metadata.Name, PatchType.Merge, JsonSerializer.Serialize(podStatus), subresource: "status");
        var condition = succeeded
            ? new { type = "Complete", status = "True", reason = (string?)null, message = (string?)null, lastProbeTime = now, lastTransitionTime = now }
            : new { type = "Failed", status = "True", reason = (string?)"BackoffLimitExceeded", message = (string?)"Job has reached the specified backoff limit", lastProbeTime = now, lastTransitionTime = now };
        var jobStatus = new
        {
            status = new
            {
                startTime = now,
                completionTime = succeeded ? now : (DateTime?)null,
                succeeded = succeeded ? 1 : (int?)null,
                failed = succeeded ? (int?)null : 1,
                conditions = new[] { condition },
            },
        };
        await admin.PatchAsync<V1Job>(ns, job.Metadata.Name, PatchType.Merge, JsonSerializer.Serialize(jobStatus), subresource: "status");
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MetricsOperator.TestSupport.Kubelet;

/// <summary>A pod the stand-in started: what a process in it would see.</summary>
/// <param name="Workload">The Deployment or StatefulSet name.</param>
/// <param name="Pod">The pod's name.</param>
/// <param name="Labels">The pod template's labels.</param>
/// <param name="Environment">Each container's resolved environment.</param>
public sealed record StartedPod(string Workload, string Pod, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Environment);

/// <summary>
/// Plays, for one namespace of the test API server (which has no controller-manager, scheduler or kubelet), the parts
/// of a cluster that run workloads: the ServiceAccount controller (the <c>default</c> account), the Deployment and
/// StatefulSet controllers (pods per replica, a StatefulSet's claims from its templates, workload status), and a
/// kubelet that starts a pod only when a real one would (<see cref="PodStartCheck"/>). A pod that cannot start shows
/// what a cluster shows (its waiting reason and message, Unschedulable, or no pod and a FailedCreate condition), and
/// its workload is not ready; it is looked at again every pass, so it starts once what it lacks exists.
/// </summary>
public sealed class KubeletStandIn : IAsyncDisposable
{
    /// <summary>Label on the pods this stand-in makes, naming the pod template's hash (the ReplicaSet's pod-template-hash).</summary>
    public const string TemplateHashLabel = "pod-template-hash";

    private readonly IKubernetes admin;
    private readonly string ns;
    private readonly Func<StartedPod, Task>? onStarted;
    private readonly HashSet<string> started = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stop = new();
    private readonly Dictionary<string, PodVerdict> verdicts = new(StringComparer.Ordinal);
    private Task? loop;

    /// <summary>Creates the stand-in for <paramref name="ns"/>; <paramref name="onStarted"/> runs once per pod that starts (e.g. to configure a fake server from the pod's environment).</summary>
    public KubeletStandIn(IKubernetes admin, string ns, Func<StartedPod, Task>? onStarted = null)
    {
        this.admin = admin ?? throw new ArgumentNullException(nameof(admin));
        this.ns = ns ?? throw new ArgumentNullException(nameof(ns));
        this.onStarted = onStarted;
    }

    /// <summary>The latest verdict per workload name.</summary>
    public IReadOnlyDictionary<string, PodVerdict> Verdicts
    {
        get
        {
            lock (verdicts)
            {
                return new Dictionary<string, PodVerdict>(verdicts, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Starts playing, every <paramref name="interval"/> (100 ms by default), until disposed.</summary>
    public KubeletStandIn Start(TimeSpan? interval = null)
    {
        loop = Task.Run(() => RunAsync(interval ?? TimeSpan.FromMilliseconds(100), stop.Token));
        return this;
    }

    /// <summary>Owners deleted with <c>propagationPolicy: Orphan</c> whose dependents the garbage collector's part let go, as <c>Kind/name</c>.</summary>
    public IReadOnlyList<string> Orphaned
    {
        get
        {
            lock (orphaned)
            {
                return [.. orphaned];
            }
        }
    }

    private readonly List<string> orphaned = [];

    /// <summary>One pass over the namespace's workloads.</summary>
    public async Task PassAsync(CancellationToken cancellationToken = default)
    {
        await EnsureDefaultServiceAccountAsync(cancellationToken);
        var released = await GarbageCollectorStandIn.ReleaseOrphansAsync(admin, ns, cancellationToken);
        lock (orphaned)
        {
            orphaned.AddRange(released);
        }

        foreach (var deployment in (await admin.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: cancellationToken)).Items)
        {
            if (deployment.Metadata.DeletionTimestamp is null)
            {
                await PlayAsync(deployment.Metadata, KubernetesJson.Serialize(deployment.Status), deployment.Spec.Replicas ?? 1, deployment.Spec.Template, deployment.Spec.Template.Spec, claimTemplates: [], isStatefulSet: false, cancellationToken);
            }
        }

        foreach (var statefulSet in (await admin.AppsV1.ListNamespacedStatefulSetAsync(ns, cancellationToken: cancellationToken)).Items)
        {
            if (statefulSet.Metadata.DeletionTimestamp is null)
            {
                await PlayAsync(statefulSet.Metadata, KubernetesJson.Serialize(statefulSet.Status), statefulSet.Spec.Replicas ?? 1, statefulSet.Spec.Template, StatefulSetPods.Spec(statefulSet, 0), statefulSet.Spec.VolumeClaimTemplates ?? [], isStatefulSet: true, cancellationToken);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (loop is not null)
        {
            await loop;
        }

        stop.Dispose();
    }

    private async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PassAsync(cancellationToken);
                await Task.Delay(interval, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException)
            {
                // A write racing another (the operator's apply, a deletion): the next pass sees the new state.
                await Task.Delay(interval, CancellationToken.None);
            }
        }
    }

    // podSpec: the spec of the first pod (a StatefulSet's has its claim templates' volumes added); the others differ only by
    // ordinal. currentStatus: the workload's status as just listed, so an unchanged one costs no request.
    private async Task PlayAsync(V1ObjectMeta workload, string currentStatus, int replicas, V1PodTemplateSpec template, V1PodSpec podSpec, IList<V1PersistentVolumeClaim> claimTemplates, bool isStatefulSet, CancellationToken cancellationToken)
    {
        var hash = TemplateHash(template);
        var kind = isStatefulSet ? "StatefulSet" : "Deployment";
        var podNames = Enumerable.Range(0, replicas).Select(i => isStatefulSet ? $"{workload.Name}-{i}" : $"{workload.Name}-{hash}-{i}").ToList();
        if (isStatefulSet)
        {
            // The StatefulSet controller makes each ordinal's claims from the templates, before its pod.
            foreach (var podName in podNames)
            {
                foreach (var claimTemplate in claimTemplates)
                {
                    await EnsureClaimAsync($"{claimTemplate.Metadata.Name}-{podName}", claimTemplate, cancellationToken);
                    // (= StatefulSetPods.ClaimName(template, statefulSet, ordinal): the pod is <statefulset>-<ordinal>.)
                }
            }
        }

        var verdict = podNames.Count == 0
            ? new PodVerdict(PodStage.Ready, "Running", "", new Dictionary<string, IReadOnlyDictionary<string, string>>())
            : PodStartCheck.Check(podNames[0], ns, podSpec, await PodReferences.LoadAsync(admin, ns, podSpec, cancellationToken));
        lock (verdicts)
        {
            verdicts[workload.Name] = verdict;
        }

        await RemoveOtherPodsAsync(workload, podNames, cancellationToken);
        foreach (var podName in podNames)
        {
            if (verdict.Stage == PodStage.Forbidden)
            {
                break;
            }

            await EnsurePodAsync(workload, kind, podName, hash, template, podSpec, verdict, cancellationToken);
            if (verdict.Starts && started.Add($"{podName}/{hash}") && onStarted is not null)
            {
                await onStarted(new StartedPod(workload.Name, podName, new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>()), verdict.Environment));
            }
        }

        var ready = verdict.Starts ? replicas : 0;
        var created = verdict.Stage == PodStage.Forbidden ? 0 : replicas;
        object status = isStatefulSet
            ? new { observedGeneration = workload.Generation, replicas = created, readyReplicas = ready, updatedReplicas = created, currentReplicas = created }
            : new
            {
                observedGeneration = workload.Generation,
                replicas = created,
                updatedReplicas = created,
                readyReplicas = ready,
                availableReplicas = ready,
                unavailableReplicas = replicas - ready,
                conditions = verdict.Stage == PodStage.Forbidden
                    ? new[] { new { type = "ReplicaFailure", status = "True", reason = verdict.Reason, message = verdict.Message } }
                    : null,
            };
        var json = JsonSerializer.Serialize(new { status });
        if (!StatusAlreadySays(currentStatus, status))
        {
            var patch = new V1Patch(json, V1Patch.PatchType.MergePatch);
            if (isStatefulSet)
            {
                await admin.AppsV1.PatchNamespacedStatefulSetStatusAsync(patch, workload.Name, ns, cancellationToken: cancellationToken);
            }
            else
            {
                await admin.AppsV1.PatchNamespacedDeploymentStatusAsync(patch, workload.Name, ns, cancellationToken: cancellationToken);
            }
        }
    }

    // Whether every field the stand-in writes already has its value (no write, no watch event, when nothing changed).
    private static bool StatusAlreadySays(string? current, object wanted)
    {
        if (current is null || current == "null")
        {
            return false;
        }

        using var have = JsonDocument.Parse(current);
        using var want = JsonDocument.Parse(JsonSerializer.Serialize(wanted));
        foreach (var field in want.RootElement.EnumerateObject())
        {
            var exists = have.RootElement.TryGetProperty(field.Name, out var value);
            if (field.Value.ValueKind == JsonValueKind.Null)
            {
                if (exists && value.ValueKind != JsonValueKind.Null) return false;
                continue;
            }

            if (field.Name == "conditions")
            {
                if (!exists || !value.GetRawText().Contains(field.Value[0].GetProperty("message").GetString()!, StringComparison.Ordinal)) return false;
                continue;
            }

            if (!exists || value.GetRawText() != field.Value.GetRawText())
            {
                // Kubernetes leaves zero counts out of status: 0 and absent are the same.
                if (!(field.Value.ValueKind == JsonValueKind.Number && field.Value.GetInt64() == 0 && !exists)) return false;
            }
        }

        return true;
    }

    private async Task EnsurePodAsync(V1ObjectMeta workload, string kind, string podName, string hash, V1PodTemplateSpec template, V1PodSpec podSpec, PodVerdict verdict, CancellationToken cancellationToken)
    {
        var pod = await ReadOrNullAsync(() => admin.CoreV1.ReadNamespacedPodAsync(podName, ns, cancellationToken: cancellationToken));
        if (pod is null)
        {
            var labels = new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [TemplateHashLabel] = hash };
            pod = await admin.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta
                {
                    Name = podName,
                    Labels = labels,
                    Annotations = template.Metadata?.Annotations,
                    OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = kind, Name = workload.Name, Uid = workload.Uid, Controller = true, BlockOwnerDeletion = true }],
                },
                Spec = podSpec,
            }, ns, cancellationToken: cancellationToken);
        }
        else if (pod.Metadata.OwnerReferences?.Any(o => o.Controller == true) != true)
        {
            // An orphan whose labels the workload selects: adopted, not replaced (the controllers' ClaimPods), so it keeps running.
            var owner = new V1OwnerReference { ApiVersion = "apps/v1", Kind = kind, Name = workload.Name, Uid = workload.Uid, Controller = true, BlockOwnerDeletion = true };
            pod = await admin.CoreV1.PatchNamespacedPodAsync(new V1Patch(JsonSerializer.Serialize(new { metadata = new { ownerReferences = new[] { new { apiVersion = owner.ApiVersion, kind = owner.Kind, name = owner.Name, uid = owner.Uid, controller = true, blockOwnerDeletion = true } } } }), V1Patch.PatchType.MergePatch), podName, ns, cancellationToken: cancellationToken);
        }

        // What this pod's status shows now against what the verdict makes it show: written only when they differ.
        var shown = (pod.Status?.Phase, string.Join('|', pod.Status?.Conditions?.Where(c => c.Type == "Ready").Select(c => $"{c.Status}:{c.Message}") ?? []));
        var meant = (Phase(verdict), $"{(verdict.Starts ? "True" : "False")}:{(verdict.Starts ? null : verdict.Message)}");
        if (shown != meant)
        {
            var wanted = PodStatus(template.Spec, verdict);
            await admin.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(JsonSerializer.Serialize(new { status = wanted }), V1Patch.PatchType.MergePatch), podName, ns, cancellationToken: cancellationToken);
        }
    }

    private static object PodStatus(V1PodSpec spec, PodVerdict verdict)
    {
        var now = DateTime.UtcNow;
        var scheduled = verdict.Stage != PodStage.Unschedulable;
        var running = Phase(verdict) == "Running";
        return new
        {
            phase = Phase(verdict),
            conditions = new object[]
            {
                new { type = "PodScheduled", status = scheduled ? "True" : "False", reason = scheduled ? null : verdict.Reason, message = scheduled ? null : verdict.Message, lastTransitionTime = now },
                new { type = "Ready", status = verdict.Starts ? "True" : "False", reason = verdict.Starts ? null : "ContainersNotReady", message = verdict.Starts ? null : verdict.Message, lastTransitionTime = now },
            },
            containerStatuses = scheduled
                ? spec.Containers.Select(c => (object)new
                {
                    name = c.Name,
                    image = c.Image,
                    imageID = "",
                    ready = verdict.Starts,
                    restartCount = 0,
                    state = running
                        ? (object)new { running = new { startedAt = now } }
                        : new { waiting = new { reason = verdict.Reason, message = verdict.Message } },
                }).ToArray()
                : null,
        };
    }

    private static string Phase(PodVerdict verdict) => verdict.Stage is PodStage.Ready or PodStage.NotReady ? "Running" : "Pending";

    private async Task RemoveOtherPodsAsync(V1ObjectMeta workload, List<string> keep, CancellationToken cancellationToken)
    {
        foreach (var pod in (await admin.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: cancellationToken)).Items)
        {
            if (pod.Metadata.OwnerReferences?.Any(o => o.Uid == workload.Uid) == true && !keep.Contains(pod.Metadata.Name))
            {
                await ReadOrNullAsync(() => admin.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: cancellationToken));
            }
        }
    }

    private async Task EnsureClaimAsync(string name, V1PersistentVolumeClaim template, CancellationToken cancellationToken)
    {
        if (await ReadOrNullAsync(() => admin.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(name, ns, cancellationToken: cancellationToken)) is not null)
        {
            return;
        }

        await admin.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = template.Metadata.Labels, Annotations = template.Metadata.Annotations },
            Spec = template.Spec,
        }, ns, cancellationToken: cancellationToken);
    }

    private async Task EnsureDefaultServiceAccountAsync(CancellationToken cancellationToken)
    {
        if (await ReadOrNullAsync(() => admin.CoreV1.ReadNamespacedServiceAccountAsync("default", ns, cancellationToken: cancellationToken)) is null)
        {
            try
            {
                await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, ns, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Made meanwhile.
            }
        }
    }

    private static string TemplateHash(V1PodTemplateSpec template) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(template))))[..10];

    /// <summary>The object <paramref name="read"/> returns, or null on 404.</summary>
    public static async Task<T?> ReadOrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}

using System.Net;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Events;
using MetricsOperator.Runtime.Reconcile;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks.Steps;
using MetricsOperator.Stacks.Storage;
using MetricsOperator.Stacks.WriteAccess;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Stacks;

/// <summary>
/// Converges a MetricsStack's namespace toward its spec: validate, build the desired children, apply each one
/// (zero requests when unchanged), prune what the spec no longer wants, and report the children's state as
/// conditions. An invalid spec is reported and nothing is created, changed or deleted.
/// </summary>
public sealed class MetricsStackReconciler : IReconciler<V1Alpha1MetricsStack>
{
    /// <summary>The controller's name (metrics label, logs).</summary>
    public const string ControllerName = "metricsstack";

    // Secrets and sibling stacks are not watched (the operator may not list Secrets; a sibling's deletion does not
    // map to this key), so a stack waiting on one looks again after this long.
    private static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(30);

    // A StatefulSet deleted with its pods orphaned is usually gone within a second (the garbage collector's turn).
    private static readonly TimeSpan GrowthRecheck = TimeSpan.FromSeconds(2);

    private readonly Manager manager;
    private readonly StackBuildOptions buildOptions;
    private readonly IReadOnlyList<IStackStep> steps;
    private readonly StackCredentials credentials;
    private readonly ListenerTokens listenerTokens;
    private readonly WriteTokenDelivery delivery;
    private readonly StorageGrowth storageGrowth;
    private readonly StorageUsageSampler? usageSampler;
    private readonly StorageMetrics? storageMetrics;
    private readonly TimeProvider time;
    private readonly ILogger logger;

    /// <summary>Creates the reconciler over the manager's client, cache and Event recorder; <paramref name="steps"/> run in order after the children are applied.</summary>
    public MetricsStackReconciler(
        Manager manager, StackBuildOptions buildOptions, IEnumerable<IStackStep>? steps = null, ILogger<MetricsStackReconciler>? logger = null, ILogger<StackCredentials>? credentialsLogger = null, TimeProvider? time = null,
        StorageUsageSampler? usageSampler = null, StorageMetrics? storageMetrics = null)
    {
        this.usageSampler = usageSampler;
        this.storageMetrics = storageMetrics;
        this.steps = [.. steps ?? []];
        this.manager = manager ?? throw new ArgumentNullException(nameof(manager));
        this.time = time ?? TimeProvider.System;
        credentials = new StackCredentials(manager.Client.Api, credentialsLogger);
        listenerTokens = new ListenerTokens(manager.Client.Api, this.time, credentialsLogger);
        delivery = new WriteTokenDelivery(manager.Client.Api, credentialsLogger);
        storageGrowth = new StorageGrowth(manager.Client.Api, logger);
        this.buildOptions = buildOptions ?? throw new ArgumentNullException(nameof(buildOptions));
        this.logger = logger ?? (ILogger)NullLogger.Instance;
    }

    private ObjectClient Client => manager.Client;

    /// <summary>
    /// Queues <paramref name="stack"/> for a reconcile, as a watch event on it would: for work done outside a reconcile
    /// (a backup run) whose outcome the stack's status reports. Nothing happens when the controller is not registered.
    /// </summary>
    public static void Enqueue(Manager manager, V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(stack);
        if (manager.Controllers.OfType<Controller<V1Alpha1MetricsStack>>().FirstOrDefault(c => c.Name == ControllerName) is { } controller)
        {
            controller.Queue.Add(ObjectKey.Of(stack));
        }
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(V1Alpha1MetricsStack entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        // Defaults applied once for the whole reconcile; status is still written through entity.
        var stack = DefaultedStack.Of(entity);
        var (refusal, dependsOnOthers) = await CheckSpecAsync(stack, cancellationToken);
        if (refusal is not null)
        {
            await ReportAsync(entity, [refusal], endpoints: null, cancellationToken);
            return dependsOnOthers ? ReconcileResult.RequeueAfter(RecheckAfter) : ReconcileResult.Done;
        }

        // Before any child refers to them: a Grafana pod whose admin Secret is missing never starts, nor a Telegraf pod
        // without its listener token.
        string? broken;
        ListenerToken listenerToken;
        try
        {
            broken = await credentials.EnsureAsync(stack, cancellationToken);
            listenerToken = await listenerTokens.EnsureAsync(entity, cancellationToken);
        }
        catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Forbidden)
        {
            await ReportAsync(entity, [NamespaceNotBound(entity, "credential Secrets: the operator may not make Grafana's admin login, InfluxDB's admin token or the listener token")], endpoints: null, cancellationToken);
            return ReconcileResult.RequeueAfter(RecheckAfter);
        }

        if (broken is not null)
        {
            await ReportAsync(entity, [StackStatusReporter.NotReady(StackCredentials.CredentialsInvalid, broken)], endpoints: null, cancellationToken);
            return ReconcileResult.RequeueAfter(RecheckAfter);
        }

        var desired = StackBuilder.Build(stack, buildOptions.WithTokens(entity.Status) with { ListenerTokenRevision = listenerToken.Revision });

        // A larger volume than the running StatefulSet's claim template: grow the claims first (the template is immutable).
        if ((await GrowVolumesAsync(entity, desired, cancellationToken) ?? await ApplyChildrenAsync(entity, desired, cancellationToken)) is { } stopped)
        {
            await ReportAsync(entity, stopped.Reports, endpoints: null, cancellationToken);
            return stopped.Result;
        }

        var pruned = await StackChildren.PruneAsync(Client, entity, desired, cancellationToken);
        if (pruned > 0)
        {
            logger.LogInformation("Pruned {Count} children of MetricsStack {Name} the spec no longer wants", pruned, entity.Metadata.Name);
        }

        var namespaces = manager.Cache.TryGetStore<V1Namespace>()?.List() ?? [];
        var access = await delivery.DeliverAsync(stack, listenerToken, WriteTokenDelivery.OptedIn(entity, namespaces), cancellationToken);

        var observed = StackChildren.Observe(Client, stack);
        var (storage, usage) = await ObserveStorageAsync(stack, cancellationToken);

        var run = await StackStepRunner.RunAsync(steps, stack, [.. StackStatusReporter.Report(stack, observed), access.Report, storage], cancellationToken);
        await ReportAsync(entity, run.Reports, StackStatusReporter.Endpoints(stack), cancellationToken, status =>
        {
            run.ApplyStatus(status);
            if (!TricksterBuilder.IsEnabled(stack))
            {
                // No cache, no condition about it: a CacheReady left from when it was on would describe pods that are gone.
                ConditionSet.Remove(status.Conditions!, MetricsStackConditions.CacheReady);
            }

            status.WriteAccess = access.Status;
            if (usage is not null)
            {
                status.InfluxDb = new InfluxDbStatus { Storage = usage };
            }
        });
        return Earliest(run.RequeueAfter, listenerToken.RotateAt - time.GetUtcNow().UtcDateTime) is { } after ? ReconcileResult.RequeueAfter(after) : ReconcileResult.Done;
    }

    /// <summary>
    /// The Ready condition refusing the spec (null when it may be applied), and whether the verdict depends on objects
    /// that are not watched (Secrets, other stacks), so that it must be looked at again.
    /// </summary>
    private async Task<(ConditionReport? Refusal, bool DependsOnOthers)> CheckSpecAsync(DefaultedStack stack, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>(StackValidation.Validate(stack));
        var siblings = manager.Cache.TryGetStore<V1Alpha1MetricsStack>()?.List(stack.Metadata.NamespaceProperty) ?? [];
        var claimed = StackValidation.NamespaceClaim(stack, siblings);
        if (claimed is not null)
        {
            errors.Add(claimed);
        }

        var uses = StackValidation.SecretUses(stack);
        var found = new Dictionary<string, V1Secret?>(StringComparer.Ordinal);
        foreach (var name in uses.Select(u => u.Name).Distinct(StringComparer.Ordinal))
        {
            try
            {
                // A GET per Secret named: the operator may not list or watch Secrets (see MetricsStackControllerPermissions).
                found[name] = await Client.Api.GetAsync<V1Secret>(stack.Metadata.NamespaceProperty, name, cancellationToken);
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Forbidden)
            {
                var field = uses.First(u => u.Name == name).Field;
                return (NamespaceNotBound(stack, $"{field}: the operator may not read Secret \"{name}\""), true);
            }
        }

        errors.AddRange(StackValidation.MissingSecrets(stack.Metadata.NamespaceProperty, uses, found));
        return errors.Count == 0
            ? (null, false)
            : (StackStatusReporter.NotReady(StackStatusReporter.Reasons.InvalidSpec, errors), uses.Count > 0 || claimed is not null);
    }

    /// <summary>Why a reconcile stops before reporting the components: the conditions to write and when to look again.</summary>
    private sealed record Stop(IReadOnlyList<ConditionReport> Reports, ReconcileResult Result);

    /// <summary>Grows the volumes the spec makes larger (see <see cref="StorageGrowth"/>); a Stop when the apply must not go ahead.</summary>
    private async Task<Stop?> GrowVolumesAsync(V1Alpha1MetricsStack stack, IReadOnlyList<k8s.IKubernetesObject<V1ObjectMeta>> desired, CancellationToken cancellationToken)
    {
        var ns = stack.Metadata.NamespaceProperty;
        var claims = manager.Cache.TryGetStore<V1PersistentVolumeClaim>()?.List(ns) ?? [];
        var (growths, refusals) = ClaimGrowthPlan.Plan(stack, desired, name => Client.Get<V1StatefulSet>(new ObjectKey(ns, name)), claims);
        if (refusals.Count > 0)
        {
            return new Stop([StackStatusReporter.NotReady(StackStatusReporter.Reasons.InvalidSpec, refusals)], ReconcileResult.Done);
        }

        if (growths.Count == 0)
        {
            return null;
        }

        var (refused, waiting) = await storageGrowth.CarryOutAsync(stack, growths, cancellationToken);
        if (refused is not null)
        {
            return new Stop(
                [new(MetricsStackConditions.StorageReady, ConditionSet.False, StorageReport.Reasons.VolumeExpansionRefused, refused), StackStatusReporter.NotReady(StorageReport.Reasons.VolumeExpansionRefused, refused)],
                ReconcileResult.RequeueAfter(RecheckAfter));
        }

        return waiting is null
            ? null
            : new Stop(
                [new(MetricsStackConditions.StorageReady, ConditionSet.False, StorageReport.Reasons.Resizing, waiting), StackStatusReporter.NotReady(StackStatusReporter.Reasons.ComponentsNotReady, waiting)],
                ReconcileResult.RequeueAfter(GrowthRecheck));
    }

    /// <summary>Applies every child (zero requests when unchanged); a Stop naming the child the API server refused.</summary>
    private async Task<Stop?> ApplyChildrenAsync(V1Alpha1MetricsStack stack, IReadOnlyList<k8s.IKubernetesObject<V1ObjectMeta>> desired, CancellationToken cancellationToken)
    {
        foreach (var child in desired)
        {
            try
            {
                await StackChildren.ApplyAsync(Client, stack, child, cancellationToken);
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Forbidden)
            {
                // Writes go only where the stack-namespace role is bound: say which binding is missing, not a retry loop.
                return new Stop([NamespaceNotBound(stack, $"{child.Kind} {child.Metadata.Name}: the operator may not write it")], ReconcileResult.RequeueAfter(RecheckAfter));
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.UnprocessableEntity)
            {
                // Retrying cannot help (e.g. a StatefulSet's claim template is immutable): say so until the spec changes.
                var why = $"{child.Kind} {child.Metadata.Name}: {e.Status?.Message ?? e.Message}";
                return new Stop([StackStatusReporter.NotReady(StackStatusReporter.Reasons.ApplyRejected, why)], ReconcileResult.Done);
            }
        }

        return null;
    }

    /// <summary>StorageReady (claims resizing, else how full InfluxDB is) and the usage to record in status.</summary>
    private async Task<(ConditionReport Report, StorageUsageStatus? Usage)> ObserveStorageAsync(DefaultedStack stack, CancellationToken cancellationToken)
    {
        var claims = manager.Cache.TryGetStore<V1PersistentVolumeClaim>()?.List(stack.Metadata.NamespaceProperty) ?? [];
        var report = StorageReport.From(stack, claims);
        var usage = await SampleUsageAsync(stack, claims, cancellationToken);
        return usage is not null && report.Status == ConditionSet.True
            ? (StorageUsage.Report(usage, stack.InfluxDb.Storage.WarnAtPercent), usage)
            : (report, usage);
    }

    /// <summary>
    /// The usage to report: a new sample when the sampler says it is time (and InfluxDB's bucket is known), else what
    /// status has. Null before the first sample.
    /// </summary>
    private async Task<StorageUsageStatus?> SampleUsageAsync(V1Alpha1MetricsStack stack, IReadOnlyList<V1PersistentVolumeClaim> claims, CancellationToken cancellationToken)
    {
        var previous = stack.Status?.InfluxDb?.Storage;
        if (usageSampler is null || stack.Status?.Bucket?.Id is not { Length: > 0 } bucketId)
        {
            return previous;
        }

        if (await usageSampler.SampleAsync(stack, bucketId, previous?.SampledAt, cancellationToken) is not { } used)
        {
            return previous;
        }

        var dataClaim = claims.FirstOrDefault(c => c.Metadata.Name == StackNames.InfluxDbDataClaim(stack));
        long? capacity = dataClaim?.Status?.Capacity is { } capacities && capacities.TryGetValue("storage", out var size) ? (long)size.ToDecimal() : null;
        var usage = StorageUsage.Next(previous, used, capacity, time.GetUtcNow().UtcDateTime);
        storageMetrics?.Observe(stack, usage);
        return usage;
    }

    // The rotation is due at a time no watch event announces: wake then, unless a step asked for sooner.
    private static TimeSpan? Earliest(TimeSpan? step, TimeSpan? rotation) =>
        rotation is { } r ? (step is { } s && s < r ? s : (r > TimeSpan.Zero ? r : TimeSpan.FromSeconds(1))) : step;

    private static ConditionReport NamespaceNotBound(V1Alpha1MetricsStack stack, string what) => StackStatusReporter.NotReady(
        StackStatusReporter.Reasons.NamespaceNotBound,
        $"{what} in namespace {stack.Metadata.NamespaceProperty}; bind the ClusterRole metrics-operator-stack-namespace to it there (config/rbac/stack-namespace/role_binding.yaml)");

    /// <summary>Merges the reports into status, patches it only when it changed, and records an Event for each change of a condition.</summary>
    private async Task ReportAsync(V1Alpha1MetricsStack stack, IReadOnlyList<ConditionReport> reports, StackEndpoints? endpoints, CancellationToken cancellationToken, Action<MetricsStackStatus>? applyStatus = null)
    {
        stack.Status ??= new MetricsStackStatus();
        var conditions = stack.Status.Conditions ??= [];
        var changed = new List<ConditionReport>();
        foreach (var report in reports)
        {
            // The reconcile's copy shows this process's last status write even while the cache lags it (ObjectClient.OwnWrites).
            var before = ConditionSet.Find(conditions, report.Type);
            // Status holds the message redacted (ConditionSet.Set): compare like with like, or a masked message is news forever.
            if (before is null || before.Status != report.Status || before.Reason != report.Reason || before.Message != Redactor.Redact(report.Message))
            {
                changed.Add(report);
            }

            ConditionSet.Set(conditions, report.Type, report.Status, report.Reason, report.Message, stack.Metadata.Generation);
        }

        stack.Status.ObservedGeneration = stack.Metadata.Generation;
        if (endpoints is not null)
        {
            stack.Status.Endpoints = endpoints;
        }

        applyStatus?.Invoke(stack.Status);

        await Client.PatchStatusAsync(stack, cancellationToken);

        foreach (var report in changed)
        {
            var type = report.Status == ConditionSet.True ? EventTypes.Normal : EventTypes.Warning;
            manager.Events.Record(stack, type, report.Reason, $"{report.Type} is {report.Status}: {report.Message}");
        }
    }
}

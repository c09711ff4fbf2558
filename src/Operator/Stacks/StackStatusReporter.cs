using System.Globalization;
using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks;

/// <summary>One condition as the reporter derived it, before it is merged into status.</summary>
/// <param name="Type">The condition type (<see cref="MetricsStackConditions"/>).</param>
/// <param name="Status">True, False or Unknown (<see cref="ConditionSet"/>).</param>
/// <param name="Reason">CamelCase reason.</param>
/// <param name="Message">For humans; never a secret.</param>
public sealed record ConditionReport(string Type, string Status, string Reason, string Message);

/// <summary>The children whose state the conditions are derived from, as the cache holds them (null when absent).</summary>
/// <param name="InfluxDb">InfluxDB's StatefulSet.</param>
/// <param name="Telegraf">Telegraf's Deployment, or StatefulSet with the disk buffer.</param>
/// <param name="Grafana">The managed Grafana's Deployment (null in external mode).</param>
/// <param name="Cache">The dashboard cache's Deployment (null when absent or the cache is off).</param>
public sealed record ObservedChildren(V1StatefulSet? InfluxDb, IKubernetesObject<V1ObjectMeta>? Telegraf, V1Deployment? Grafana, V1Deployment? Cache = null);

/// <summary>
/// Derives the MetricsStack's conditions from its children, the way prometheus-operator's reporter derives
/// Available: pure functions, no I/O. <c>Ready</c> has positive polarity: True only when every component
/// condition is True. CacheReady is reported only while the dashboard cache is on. AlertingReady and BackupReady
/// belong to the alerting and backup reconcilers and are not set here.
/// </summary>
public static class StackStatusReporter
{
    /// <summary>Reasons this reporter and the reconciler use.</summary>
    public static class Reasons
    {
        /// <summary>The workload runs the current spec with every replica ready.</summary>
        public const string Available = "Available";

        /// <summary>The workload exists but is not (yet) ready at its current generation.</summary>
        public const string Progressing = "Progressing";

        /// <summary>The workload is not in the cache (just applied, or deleted and about to be recreated).</summary>
        public const string NotFound = "NotFound";

        /// <summary>Grafana runs elsewhere; this reconciler has nothing to run for it (reachability is the Grafana client's job).</summary>
        public const string External = "External";

        /// <summary>Every component is ready.</summary>
        public const string AllComponentsReady = "AllComponentsReady";

        /// <summary>At least one component is not ready; the message names which.</summary>
        public const string ComponentsNotReady = "ComponentsNotReady";

        /// <summary>The spec breaks a rule the schema cannot express; nothing was created, changed or deleted.</summary>
        public const string InvalidSpec = "InvalidSpec";

        /// <summary>
        /// The operator may not write (or read Secrets) in the stack's namespace: the ClusterRole
        /// metrics-operator-stack-namespace is not bound there. The message names the binding to add.
        /// </summary>
        public const string NamespaceNotBound = "NamespaceNotBound";

        /// <summary>The API server refused to apply a child (for example an immutable field changed).</summary>
        public const string ApplyRejected = "ApplyRejected";
    }

    /// <summary>The component conditions and Ready for <paramref name="stack"/> (defaults applied) given its observed children.</summary>
    public static IReadOnlyList<ConditionReport> Report(DefaultedStack stack, ObservedChildren observed)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(observed);
        var components = new List<ConditionReport>
        {
            Component(MetricsStackConditions.InfluxDBReady, StatefulSetReadiness(observed.InfluxDb)),
            Component(MetricsStackConditions.TelegrafReady, observed.Telegraf switch
            {
                V1StatefulSet statefulSet => StatefulSetReadiness(statefulSet),
                V1Deployment deployment => DeploymentReadiness(deployment),
                _ => (ConditionSet.False, Reasons.NotFound, "Telegraf's workload is not observed yet"),
            }),
            !stack.Grafana.IsManaged
                ? new ConditionReport(MetricsStackConditions.GrafanaReady, ConditionSet.True, Reasons.External, $"Grafana is external at {stack.Grafana.Url}; the operator runs no Grafana")
                : Component(MetricsStackConditions.GrafanaReady, DeploymentReadiness(observed.Grafana)),
        };
        if (TricksterBuilder.IsEnabled(stack))
        {
            components.Add(Component(MetricsStackConditions.CacheReady, DeploymentReadiness(observed.Cache)));
        }

        return [.. components, Ready(components)];
    }

    /// <summary>Ready=False with <paramref name="reason"/> and the errors as the message; component conditions are left as they were.</summary>
    public static ConditionReport NotReady(string reason, IEnumerable<FieldError> errors) =>
        new(MetricsStackConditions.Ready, ConditionSet.False, reason, string.Join("; ", errors));

    /// <summary>Ready=False with <paramref name="reason"/> and <paramref name="message"/>.</summary>
    public static ConditionReport NotReady(string reason, string message) =>
        new(MetricsStackConditions.Ready, ConditionSet.False, reason, message);

    /// <summary>Where apps write (Telegraf's listener Service) and where Grafana is (the managed Service, or the external URL).</summary>
    public static StackEndpoints Endpoints(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return new StackEndpoints
        {
            Write = StackNames.WriteUrl(stack, stack.Telegraf.ListenerPort),
            Grafana = stack.Grafana.IsManaged ? StackNames.GrafanaUrl(stack) : stack.Grafana.Url,
        };
    }

    /// <summary>
    /// Whether a StatefulSet runs its current spec with every replica ready: the controller has seen this generation,
    /// and as many replicas are updated and ready as the spec asks for (what <c>kubectl rollout status</c> checks).
    /// </summary>
    public static (string Status, string Reason, string Message) StatefulSetReadiness(V1StatefulSet? statefulSet)
    {
        if (statefulSet is null)
        {
            return (ConditionSet.False, Reasons.NotFound, "StatefulSet not observed yet");
        }

        var wanted = statefulSet.Spec?.Replicas ?? 1;
        var status = statefulSet.Status;
        return Readiness("StatefulSet", statefulSet.Metadata, status?.ObservedGeneration, wanted, status?.UpdatedReplicas ?? 0, status?.ReadyReplicas ?? 0, status?.Replicas ?? 0);
    }

    /// <summary>
    /// Whether a Deployment runs its current spec with every replica available: the controller has seen this
    /// generation, every replica is updated and available, and no old replica is left.
    /// </summary>
    public static (string Status, string Reason, string Message) DeploymentReadiness(V1Deployment? deployment)
    {
        if (deployment is null)
        {
            return (ConditionSet.False, Reasons.NotFound, "Deployment not observed yet");
        }

        var wanted = deployment.Spec?.Replicas ?? 1;
        var status = deployment.Status;
        return Readiness("Deployment", deployment.Metadata, status?.ObservedGeneration, wanted, status?.UpdatedReplicas ?? 0, status?.AvailableReplicas ?? 0, status?.Replicas ?? 0);
    }

    private static (string, string, string) Readiness(string kind, V1ObjectMeta metadata, long? observedGeneration, int wanted, int updated, int ready, int total)
    {
        var name = metadata.Name;
        if ((observedGeneration ?? 0) < (metadata.Generation ?? 0))
        {
            return (ConditionSet.False, Reasons.Progressing, $"{kind} {name}: generation {metadata.Generation} not observed by its controller yet");
        }

        if (updated < wanted || ready < wanted || total > updated)
        {
            return (ConditionSet.False, Reasons.Progressing, string.Create(CultureInfo.InvariantCulture, $"{kind} {name}: {ready} of {wanted} replicas ready, {updated} updated"));
        }

        return (ConditionSet.True, Reasons.Available, string.Create(CultureInfo.InvariantCulture, $"{kind} {name}: {ready} of {wanted} replicas ready"));
    }

    private static ConditionReport Component(string type, (string Status, string Reason, string Message) readiness) =>
        new(type, readiness.Status, readiness.Reason, readiness.Message);

    /// <summary>Ready from the component conditions: True only when every one of them is True.</summary>
    public static ConditionReport Ready(IReadOnlyList<ConditionReport> components)
    {
        var notReady = components.Where(c => c.Status != ConditionSet.True).ToList();
        return notReady.Count == 0
            ? new ConditionReport(MetricsStackConditions.Ready, ConditionSet.True, Reasons.AllComponentsReady,
                components.Any(c => c.Type == MetricsStackConditions.CacheReady) ? "InfluxDB, Telegraf, Grafana and the dashboard cache are ready" : "InfluxDB, Telegraf and Grafana are ready")
            : new ConditionReport(MetricsStackConditions.Ready, ConditionSet.False, Reasons.ComponentsNotReady, string.Join("; ", notReady.Select(c => $"{c.Type}: {c.Message}")));
    }
}

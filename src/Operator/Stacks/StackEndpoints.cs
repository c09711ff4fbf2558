using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks;

/// <summary>
/// Where the operator itself reaches a stack's InfluxDB and Grafana. In a cluster that is the
/// Services the builders create (or an external Grafana's URL); tests substitute the
/// in-process fakes, since no pod ever runs on the test control plane.
/// </summary>
public interface IStackEndpoints
{
    /// <summary>InfluxDB's HTTP API, e.g. <c>http://metrics-influxdb.metrics.svc:8086</c>.</summary>
    Uri InfluxDb(V1Alpha1MetricsStack stack);

    /// <summary>Grafana's HTTP root (the API is under <c>/api</c>).</summary>
    Uri Grafana(V1Alpha1MetricsStack stack);
}

/// <summary>The in-cluster Services of the stack, or the external Grafana's URL from the spec.</summary>
public sealed class ClusterStackEndpoints : IStackEndpoints
{
    /// <inheritdoc />
    public Uri InfluxDb(V1Alpha1MetricsStack stack) => new(StackNames.InfluxDbUrl(stack));

    /// <inheritdoc />
    public Uri Grafana(V1Alpha1MetricsStack stack) =>
        stack.Spec?.Grafana is { Mode: GrafanaMode.External, Url: { Length: > 0 } url }
            ? new Uri(url)
            : new Uri(StackNames.GrafanaUrl(stack));
}

/// <summary>
/// The in-cluster endpoints with InfluxDB and the managed Grafana reached somewhere else: for an operator run outside the
/// cluster (through <c>kubectl port-forward</c>) or against <c>hack/run.sh</c>'s simulated stand-ins. An external
/// Grafana keeps the URL its spec gives.
/// </summary>
public sealed class OverriddenStackEndpoints(Uri? influxDb, Uri? grafana, IStackEndpoints inCluster) : IStackEndpoints
{
    /// <inheritdoc />
    public Uri InfluxDb(V1Alpha1MetricsStack stack) => influxDb ?? inCluster.InfluxDb(stack);

    /// <inheritdoc />
    public Uri Grafana(V1Alpha1MetricsStack stack) =>
        grafana is not null && stack?.Spec?.Grafana?.Mode != GrafanaMode.External ? grafana : inCluster.Grafana(stack!);
}

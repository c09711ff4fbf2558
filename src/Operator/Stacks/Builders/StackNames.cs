using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Every name the operator derives from a MetricsStack, in one place: the objects it applies, the Secrets the
/// InfluxDB wiring fills, the keys inside them and the ports. The reconciler, the builders and the docs use these.
/// </summary>
public static class StackNames
{
    /// <summary>InfluxDB's HTTP port (API, UI and <c>/health</c>).</summary>
    public const int InfluxDbPort = 8086;

    /// <summary>Grafana's HTTP port.</summary>
    public const int GrafanaPort = 3000;

    /// <summary>Trickster's proxy port (its default listener), where Grafana's cached datasource and the kubelet's probes go.</summary>
    public const int TricksterPort = 8480;

    /// <summary>Trickster's Prometheus metrics port (its metrics listener), where its cache hit counters are.</summary>
    public const int TricksterMetricsPort = 8481;

    /// <summary>Name of the volume claim template of InfluxDB's StatefulSet; the claim is called <c>data-&lt;stack&gt;-influxdb-0</c>.</summary>
    public const string InfluxDbDataVolume = "data";

    /// <summary>Name of the volume claim template of Telegraf's StatefulSet when the disk buffer is on.</summary>
    public const string TelegrafBufferVolume = "buffer";

    /// <summary>Key of the admin token in the admin Secret (also in spec.influxdb.existingAdminSecret).</summary>
    public const string AdminTokenKey = "admin-token";

    /// <summary>Key of the admin password in the admin Secret.</summary>
    public const string AdminPasswordKey = "admin-password";

    /// <summary>Key of the scoped token in the Telegraf and Grafana token Secrets.</summary>
    public const string TokenKey = "token";

    /// <summary>Key of the user name in Grafana's admin Secret (the same keys an external Grafana's credentialsSecret uses).</summary>
    public const string GrafanaUserKey = "username";

    /// <summary>Key of the password in Grafana's admin Secret.</summary>
    public const string GrafanaPasswordKey = "password";

    /// <summary>The Secret holding the token Telegraf's listener accepts from apps (not an InfluxDB token).</summary>
    public static string ListenerTokenSecret(V1Alpha1MetricsStack stack) => Prefixed(stack, "listener-token");

    /// <summary>InfluxDB's StatefulSet and Service.</summary>
    public static string InfluxDb(V1Alpha1MetricsStack stack) => Prefixed(stack, "influxdb");

    /// <summary>The PersistentVolumeClaim the StatefulSet controller makes from the volume claim template (ordinal 0).</summary>
    public static string InfluxDbDataClaim(V1Alpha1MetricsStack stack) => $"{InfluxDbDataVolume}-{InfluxDb(stack)}-0";

    /// <summary>Telegraf's Deployment (or StatefulSet with the disk buffer) and its listener Service.</summary>
    public static string Telegraf(V1Alpha1MetricsStack stack) => Prefixed(stack, "telegraf");

    /// <summary>The ConfigMap holding <c>telegraf.conf</c>.</summary>
    public static string TelegrafConfig(V1Alpha1MetricsStack stack) => Prefixed(stack, "telegraf-config");

    /// <summary>Grafana's Deployment, Service and data PersistentVolumeClaim.</summary>
    public static string Grafana(V1Alpha1MetricsStack stack) => Prefixed(stack, "grafana");

    /// <summary>The ConfigMap with Grafana's datasource provisioning file.</summary>
    public static string GrafanaProvisioning(V1Alpha1MetricsStack stack) => Prefixed(stack, "grafana-provisioning");

    /// <summary>Trickster's Deployment, Service, NetworkPolicy and (filesystem or bbolt cache) claim.</summary>
    public static string Trickster(V1Alpha1MetricsStack stack) => Prefixed(stack, "trickster");

    /// <summary>The ConfigMap holding <c>trickster.yaml</c> (no token: Trickster passes Grafana's on).</summary>
    public static string TricksterConfig(V1Alpha1MetricsStack stack) => Prefixed(stack, "trickster-config");

    /// <summary>
    /// Secret with the InfluxDB admin token and password (keys <see cref="AdminTokenKey"/>, <see cref="AdminPasswordKey"/>),
    /// made by the operator before setup unless spec.influxdb.existingAdminSecret names one.
    /// </summary>
    public static string InfluxDbAdminSecret(V1Alpha1MetricsStack stack) =>
        stack?.Spec.InfluxDb?.ExistingAdminSecret?.Name is { Length: > 0 } existing ? existing : Prefixed(stack!, "influxdb-admin");

    /// <summary>Secret with Telegraf's write token (key <see cref="TokenKey"/>), made by the operator after setup.</summary>
    public static string TelegrafTokenSecret(V1Alpha1MetricsStack stack) => Prefixed(stack, "telegraf-token");

    /// <summary>Secret with Grafana's read token (key <see cref="TokenKey"/>), made by the operator after setup.</summary>
    public static string GrafanaTokenSecret(V1Alpha1MetricsStack stack) => Prefixed(stack, "grafana-token");

    /// <summary>Secret with the managed Grafana's admin user and password (keys <see cref="GrafanaUserKey"/>, <see cref="GrafanaPasswordKey"/>), made by the operator.</summary>
    public static string GrafanaAdminSecret(V1Alpha1MetricsStack stack) => Prefixed(stack, "grafana-admin");

    /// <summary>The NetworkPolicy that denies ingress to every pod of the stack unless another policy allows it.</summary>
    public static string DefaultDenyPolicy(V1Alpha1MetricsStack stack) => Prefixed(stack, "default-deny");

    /// <summary>The NetworkPolicy that lets a component's pods be reached; named like the component.</summary>
    public static string AllowPolicy(V1Alpha1MetricsStack stack, string component) => Prefixed(stack, component);

    /// <summary>In-cluster URL of InfluxDB.</summary>
    public static string InfluxDbUrl(V1Alpha1MetricsStack stack) => $"http://{InfluxDb(stack)}.{Namespace(stack)}.svc:{InfluxDbPort}";

    /// <summary>In-cluster URL of Trickster, the cached datasource's URL.</summary>
    public static string TricksterUrl(V1Alpha1MetricsStack stack) => $"http://{Trickster(stack)}.{Namespace(stack)}.svc:{TricksterPort}";

    /// <summary>In-cluster URL apps write line protocol to (status.endpoints.write).</summary>
    public static string WriteUrl(V1Alpha1MetricsStack stack, int listenerPort) => $"http://{Telegraf(stack)}.{Namespace(stack)}.svc:{listenerPort}";

    /// <summary>In-cluster URL of the managed Grafana.</summary>
    public static string GrafanaUrl(V1Alpha1MetricsStack stack) => $"http://{Grafana(stack)}.{Namespace(stack)}.svc:{GrafanaPort}";

    /// <summary>The stack's namespace (<c>default</c> when the object has none, as kubectl would).</summary>
    public static string Namespace(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.Metadata.NamespaceProperty is { Length: > 0 } ns ? ns : "default";
    }

    private static string Prefixed(V1Alpha1MetricsStack stack, string suffix)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return $"{stack.Metadata.Name}-{suffix}";
    }
}

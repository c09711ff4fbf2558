using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.E2E;

/// <summary>
/// The load a user applies: N MetricsStacks (one per namespace, named like the minimal sample) and M AppAlerts of R
/// rules with unique titles, ten per application namespace, spread over the stacks. Written through the API server as
/// kubectl would, and watched only through it (status), never through the operator.
/// </summary>
internal sealed class Load(BenchCluster cluster, SimulatedWorld world, BenchSize size)
{
    public const string StackName = "metrics";
    private const string InfluxSecret = "bench-influxdb-admin";
    private const string GrafanaSecret = "bench-grafana-login";

    public static string StackNamespace(int i) => $"stack-{i:D2}";

    public static string AlertNamespace(int i) => $"app-{i / 10:D3}";

    public static string AlertName(int i) => $"alerts-{i % 10}";

    /// <summary>The stack namespaces with the user's Secrets and the stacks, and a kubelet stand-in in each.</summary>
    public async Task ApplyStacksAsync(CancellationToken cancellationToken)
    {
        var influxToken = $"bench-{Guid.NewGuid():N}";
        for (var i = 0; i < size.Stacks; i++)
        {
            var ns = StackNamespace(i);
            await cluster.CreateNamespaceAsync(ns, holdsStack: true, cancellationToken);
            await SecretAsync(ns, InfluxSecret, new() { ["admin-token"] = influxToken, ["admin-password"] = $"pw-{influxToken}" }, cancellationToken);
            await SecretAsync(ns, GrafanaSecret, new() { ["username"] = world.Grafana.AdminUser, ["password"] = world.Grafana.AdminPassword }, cancellationToken);
            var stack = new JsonObject
            {
                ["apiVersion"] = $"{ApiGroup.Name}/{ApiGroup.Version}",
                ["kind"] = "MetricsStack",
                ["metadata"] = new JsonObject { ["name"] = StackName },
                ["spec"] = new JsonObject
                {
                    // Ten environments sharing one Grafana, as a central Grafana is shared: each is its own environment
                    // (external mode requires one), so folders, groups, contact points and policy subtrees never collide.
                    ["environment"] = ns,
                    ["influxdb"] = new JsonObject { ["existingAdminSecret"] = new JsonObject { ["name"] = InfluxSecret } },
                    ["grafana"] = new JsonObject
                    {
                        ["mode"] = "external",
                        ["url"] = world.Grafana.BaseUri.AbsoluteUri,
                        ["credentialsSecret"] = new JsonObject { ["name"] = GrafanaSecret },
                    },
                },
            };
            await cluster.Admin.CustomObjects.CreateNamespacedCustomObjectAsync(stack, ApiGroup.Name, ApiGroup.Version, ns, "metricsstacks", cancellationToken: cancellationToken);
            world.PlayKubelet(cluster.Admin, ns);
        }
    }

    /// <summary>Creates the AppAlerts, eight requests at a time, as a user's `kubectl apply` of many files would.</summary>
    public async Task ApplyAlertsAsync(CancellationToken cancellationToken)
    {
        var namespaces = Enumerable.Range(0, size.Alerts).Select(AlertNamespace).Distinct().ToList();
        foreach (var ns in namespaces)
        {
            await cluster.CreateNamespaceAsync(ns, holdsStack: false, cancellationToken);
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, size.Alerts), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
            await cluster.Admin.CustomObjects.CreateNamespacedCustomObjectAsync(Alert(i), ApiGroup.Name, ApiGroup.Version, AlertNamespace(i), "appalerts", cancellationToken: ct));
    }

    /// <summary>Stacks Ready=True for their current generation, and AppAlerts Ready=True with every rule synced.</summary>
    public async Task<(int StacksReady, int AlertsSynced)> CountDoneAsync(CancellationToken cancellationToken)
    {
        var stacks = await ListAsync<V1Alpha1MetricsStack>("metricsstacks", cancellationToken);
        var alerts = await ListAsync<V1Alpha1AppAlert>("appalerts", cancellationToken);
        var ready = stacks.Count(s => IsReady(s.Status?.Conditions, s.Status?.ObservedGeneration, s.Metadata.Generation));
        var synced = alerts.Count(a => IsReady(a.Status?.Conditions, a.Status?.ObservedGeneration, a.Metadata.Generation) && a.Status!.SyncedCount == size.Rules);
        return (ready, synced);
    }

    /// <summary>
    /// What status says about the rules' queries (status.rules[].queryCheck), by kind ("data", "no data", "refused",
    /// "not checked") with one example of each: the benchmark reports it so a run whose checks could not reach InfluxDB
    /// says so.
    /// </summary>
    public async Task<IReadOnlyList<(string Kind, int Count, string Example)>> QueryChecksAsync(CancellationToken cancellationToken)
    {
        var alerts = await ListAsync<V1Alpha1AppAlert>("appalerts", cancellationToken);
        return [.. alerts.SelectMany(a => a.Status?.Rules ?? []).Select(r => r.QueryCheck ?? "(none)")
            .GroupBy(Kind).OrderByDescending(g => g.Count()).Select(g => (g.Key, g.Count(), g.First()))];

        static string Kind(string line) =>
            line.StartsWith("no data", StringComparison.Ordinal) ? "no data"
            : line.StartsWith("data", StringComparison.Ordinal) ? "data"
            : line.StartsWith("refused", StringComparison.Ordinal) ? "refused"
            : line.StartsWith("not checked", StringComparison.Ordinal) ? "not checked"
            : line;
    }

    public async Task<V1Alpha1AppAlert> ReadAlertAsync(int i, CancellationToken cancellationToken)
    {
        var raw = await cluster.Admin.CustomObjects.GetNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, AlertNamespace(i), "appalerts", AlertName(i), cancellationToken);
        return KubernetesJson.Deserialize<V1Alpha1AppAlert>(((JsonElement)raw).GetRawText());
    }

    /// <summary>A user's edit: the first rule's threshold, by JSON patch.</summary>
    public Task EditThresholdAsync(int i, double threshold, CancellationToken cancellationToken)
    {
        var patch = $$"""[{"op":"replace","path":"/spec/rules/0/condition/threshold","value":{{threshold.ToString(CultureInfo.InvariantCulture)}}}]""";
        return cluster.Admin.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), ApiGroup.Name, ApiGroup.Version, AlertNamespace(i), "appalerts", AlertName(i), cancellationToken: cancellationToken);
    }

    private static bool IsReady(IList<V1Condition>? conditions, long? observed, long? generation) =>
        observed == generation && conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status == "True";

    private JsonObject Alert(int i)
    {
        var rules = new JsonArray();
        for (var j = 0; j < size.Rules; j++)
        {
            var influxql = j % 2 == 0;
            rules.Add(new JsonObject
            {
                // Unique within the app's folder: Grafana 11.4 refuses a title twice in a folder.
                ["name"] = $"{AlertName(i)} rule {j}",
                ["query"] = new JsonObject
                {
                    ["language"] = influxql ? "InfluxQL" : "Flux",
                    ["text"] = influxql
                        ? $"SELECT mean(\"v{j}\") FROM \"metrics\".\"autogen\".\"m{i}\" WHERE $timeFilter"
                        : $"from(bucket: \"metrics\") |> range(start: v.timeRangeStart) |> filter(fn: (r) => r._measurement == \"m{i}\" and r._field == \"v{j}\")",
                },
                ["condition"] = new JsonObject { ["reducer"] = "mean", ["operator"] = "gt", ["threshold"] = j * 10 },
                ["summary"] = $"rule {j} of alert {i}",
                ["labels"] = new JsonObject { ["team"] = "square" },
            });
        }

        return new JsonObject
        {
            ["apiVersion"] = $"{ApiGroup.Name}/{ApiGroup.Version}",
            ["kind"] = "AppAlert",
            ["metadata"] = new JsonObject { ["name"] = AlertName(i) },
            ["spec"] = new JsonObject
            {
                ["stackRef"] = new JsonObject { ["name"] = StackName, ["namespace"] = StackNamespace(i % size.Stacks) },
                ["interval"] = "1m",
                ["rules"] = rules,
            },
        };
    }

    private async Task SecretAsync(string ns, string name, Dictionary<string, string> data, CancellationToken cancellationToken) =>
        await cluster.Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = name }, StringData = data }, ns, cancellationToken: cancellationToken);

    private async Task<List<T>> ListAsync<T>(string plural, CancellationToken cancellationToken)
    {
        var list = await cluster.Admin.CustomObjects.ListClusterCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, plural, cancellationToken: cancellationToken);
        return [.. ((JsonElement)list).GetProperty("items").EnumerateArray().Select(i => KubernetesJson.Deserialize<T>(i.GetRawText()))];
    }
}

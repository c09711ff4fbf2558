using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Integration;

namespace MetricsOperator.Tests.Stacks.Integration;

/// <summary>
/// InfluxDB's Ingress (spec.influxdb.ingress) on the real API server (1.20.2: networking.k8s.io/v1 Ingress), applied
/// with its NetworkPolicy path by the operator's ServiceAccount with the generated RBAC, and pruned when taken out.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class InfluxDbIngressReconcileTests(ApiServerFixture fixture)
{
    private const string Name = "metrics";

    [Fact]
    public async Task The_ingress_is_accepted_with_its_network_policy_path_and_pruned_when_taken_out()
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane);
        var stack = await op.CreateAsync(Stacks.MinimalSampleWith(s => s.InfluxDb!.Ingress = new Crds.InfluxDbIngressSpec
        {
            Host = "data-dev.lsst.cloud",
            Path = "/influxdb",
            ClassName = "nginx",
            TlsSecret = "data-dev-tls",
            Annotations = new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/proxy-body-size"] = "50m" },
            ControllerNamespaceSelector = new Dictionary<string, string> { ["ingress"] = "nginx" },
        }));
        var policyName = StackNames.AllowPolicy(stack, StackLabels.InfluxDb);

        var ingress = await Eventually.UntilAsync(() => op.Admin.GetAsync<V1Ingress>(op.Namespace, "metrics-influxdb"), _ => true, "InfluxDB's Ingress exists");
        ingress.Metadata.OwnerReferences.ShouldHaveSingleItem().Name.ShouldBe(Name);
        ingress.Spec.Tls.ShouldHaveSingleItem().SecretName.ShouldBe("data-dev-tls");
        var path = ingress.Spec.Rules.ShouldHaveSingleItem().Http.Paths.ShouldHaveSingleItem();
        (path.Path, path.PathType, path.Backend.Service.Name).ShouldBe(("/influxdb", "Prefix", "metrics-influxdb"));
        var policy = await Eventually.UntilAsync(() => op.Admin.GetAsync<V1NetworkPolicy>(op.Namespace, policyName),
            p => p.Spec.Ingress?.SingleOrDefault()?.FromProperty?.Any(f => f.NamespaceSelector?.MatchLabels is { } labels && labels.TryGetValue("ingress", out var value) && value == "nginx") == true,
            "InfluxDB's NetworkPolicy admits the ingress controller's namespace");
        var peers = policy.Spec.Ingress.Single().FromProperty.Count;

        await op.PatchSpecAsync(Name, new { influxdb = new { ingress = (object?)null } });
        await Eventually.UntilAsync(async () => await op.Admin.GetAsync<V1Ingress>(op.Namespace, "metrics-influxdb") is null, "the Ingress is pruned");
        await Eventually.UntilAsync(
            async () => (await op.Admin.GetAsync<V1NetworkPolicy>(op.Namespace, policyName))?.Spec.Ingress?.SingleOrDefault()?.FromProperty?.Count == peers - 1,
            "the ingress controller's namespace is no longer admitted");
    }
}

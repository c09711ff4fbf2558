using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Tests.Integration;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks.Integration;

/// <summary>
/// The managed Grafana's Ingress on the real API server, applied and pruned by the operator's ServiceAccount with the
/// generated RBAC (ingresses in the stack's namespace only).
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class GrafanaIngressReconcileTests(ApiServerFixture fixture)
{
    private const string Name = "metrics";

    [Fact]
    public async Task The_ingress_is_applied_with_its_network_policy_and_pruned_when_taken_out()
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane);
        var stack = await op.CreateAsync(Stacks.MinimalSampleWith(s => s.Grafana!.Ingress = new Crds.GrafanaIngressSpec { Host = "data-dev.lsst.cloud", Path = "/grafana", ClassName = "nginx" }));
        var policyName = MetricsOperator.Stacks.Builders.NetworkPolicyBuilder.Grafana(DefaultedStack.Of(stack)).Metadata.Name;

        var ingress = await Eventually.UntilAsync(() => op.Admin.GetAsync<V1Ingress>(op.Namespace, "metrics-grafana"), _ => true, "Grafana's Ingress exists");
        ingress.Metadata.OwnerReferences.ShouldHaveSingleItem().Name.ShouldBe(Name);
        ingress.Spec.Rules.ShouldHaveSingleItem().Http.Paths.ShouldHaveSingleItem().Path.ShouldBe("/grafana");
        var policy = await Eventually.UntilAsync(() => op.Admin.GetAsync<V1NetworkPolicy>(op.Namespace, policyName), _ => true, "Grafana's NetworkPolicy exists");
        policy.Spec.Ingress.ShouldHaveSingleItem().FromProperty.ShouldNotBeNull().Count.ShouldBe(3);

        await op.PatchSpecAsync(Name, new { grafana = new { ingress = (object?)null } });
        await Eventually.UntilAsync(async () => await op.Admin.GetAsync<V1Ingress>(op.Namespace, "metrics-grafana") is null, "the Ingress is pruned");
        await Eventually.UntilAsync(
            async () => (await op.Admin.GetAsync<V1NetworkPolicy>(op.Namespace, policyName))?.Spec.Ingress?.SingleOrDefault()?.FromProperty is null,
            "Grafana's port is open to any source again");
    }
}

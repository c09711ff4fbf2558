using System.Text.Json.Nodes;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Integration;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// Two environments, each a whole operator watching its own namespace (standing in for its own cluster) with its own
/// InfluxDB, sharing one external Grafana (the contract-checked fake): each writes only its subtree and its
/// environment-named contact points, neither routes to the other's, and policy writes interleaved through the fake's
/// hook — one operator's PUT held until the other's has landed, so the held one carries a tree read before it — end,
/// at the loser's next reconcile, with both subtrees present.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class SharedGrafanaTests(ApiServerFixture fixture) : IAsyncLifetime
{
    private const string Credentials = "grafana-credentials";
    private const string ContactPointSecret = "contact-points";
    private GrafanaFake grafana = null!;
    private OperatorWithFakes dev = null!;
    private OperatorWithFakes prod = null!;

    public async Task InitializeAsync()
    {
        grafana = await GrafanaFake.StartNewAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        dev = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, clock, grafana);
        prod = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, clock, grafana);
    }

    public async Task DisposeAsync()
    {
        await dev.DisposeAsync();
        await prod.DisposeAsync();
        await grafana.DisposeAsync();
        grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Interleaved_policy_writes_of_two_environments_end_with_both_subtrees_and_neither_routes_to_the_other()
    {
        // The first PUT to arrive is held until the other operator has synced (written and read back): it then
        // overwrites the other's subtree with a tree read before it, the update Grafana's precondition-less PUT can lose.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var puts = 0;
        var heldResumed = 0;
        List<string>? afterHeldWrite = null;
        grafana.State.BeforePolicyWrite = async () =>
        {
            if (Interlocked.Increment(ref puts) == 1)
            {
                await release.Task.WaitAsync(TimeSpan.FromSeconds(60));
                Volatile.Write(ref heldResumed, 1);
            }
        };
        grafana.State.AfterPolicyWrite = () =>
        {
            if (Interlocked.Exchange(ref heldResumed, 0) == 1)
            {
                afterHeldWrite = [.. new[] { "idfdev", "idfprod" }.Where(e => Subtree(e) is not null)];
            }

            return Task.CompletedTask;
        };

        await Task.WhenAll(CreateStackAsync(dev, "idfdev", "sqre"), CreateStackAsync(prod, "idfprod", "ops"));
        var first = await Task.WhenAny(WaitSyncedAsync(dev), WaitSyncedAsync(prod));
        release.TrySetResult();
        await Task.WhenAll(WaitSyncedAsync(dev), WaitSyncedAsync(prod));
        grafana.State.BeforePolicyWrite = null;
        grafana.State.AfterPolicyWrite = null;
        var overwritten = (await first).Spec.Environment!;
        afterHeldWrite.ShouldNotBeNull("a write was held while the other environment synced");
        afterHeldWrite.ShouldNotContain(overwritten, "the held write replaced the subtree of the environment that synced meanwhile: Grafana's PUT has no precondition");

        // The loser's next reconcile (the step asks for one 30 s after each write to a shared tree) merges it back.
        await (overwritten == "idfdev" ? dev : prod).ReconcileAgainAsync();
        await dev.ReconcileAgainAsync();
        await prod.ReconcileAgainAsync();

        ((string?)grafana.State.PolicyTree["receiver"]).ShouldBe(GrafanaState.DefaultContactPoint, "the root belongs to neither environment");
        foreach (var (environment, other) in new[] { ("idfdev", "idfprod"), ("idfprod", "idfdev") })
        {
            var subtree = Subtree(environment).ShouldNotBeNull($"{environment}'s subtree is in the tree");
            ((string?)subtree["receiver"]).ShouldBe($"{environment}_slack");
            subtree.ToJsonString().ShouldNotContain($"\"{other}_", Case.Sensitive, $"{environment}'s subtree routes to none of {other}'s contact points");
            grafana.State.ContactPoints.Select(c => (string?)c["name"]).ShouldContain($"{environment}_email");
        }

        var writes = grafana.Requests.Writes;
        await dev.ReconcileAgainAsync();
        await prod.ReconcileAgainAsync();
        grafana.Requests.Writes.ShouldBe(writes, "converged: neither environment writes again");
    }

    private static async Task CreateStackAsync(OperatorWithFakes op, string environment, string team)
    {
        await op.CreateSecretAsync(Credentials, new() { ["token"] = op.Grafana.AddServiceAccountToken() });
        await op.CreateSecretAsync(ContactPointSecret, new() { ["slack"] = $"https://hooks.slack.com/services/T/B/{environment}", ["email"] = $"{team}@example.org" });
        await op.CreateStackWithSpecAsync(new
        {
            environment,
            grafana = new
            {
                mode = "external",
                url = op.Grafana.BaseUri.AbsoluteUri,
                credentialsSecret = new { name = Credentials },
                contactPoints = new[] { ContactPoint("slack"), ContactPoint("email") },
                routes = new[] { new { matchers = new[] { new { label = "team", @operator = "=", value = team } }, contactPoint = "email" } },
            },
        });
    }

    private static object ContactPoint(string type) => new { name = type, type, secretRef = new { name = ContactPointSecret, key = type } };

    private static Task<V1Alpha1MetricsStack> WaitSyncedAsync(OperatorWithFakes op) =>
        Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.AlertingReady) is { Status: ConditionSet.True, Reason: "Synced" }, "AlertingReady=True Synced");

    private JsonObject? Subtree(string environment) =>
        (grafana.State.PolicyTree["routes"] as JsonArray ?? []).OfType<JsonObject>()
            .SingleOrDefault(r => r["object_matchers"]?.ToJsonString() == $"[[\"environment\",\"=\",\"{environment}\"]]");
}

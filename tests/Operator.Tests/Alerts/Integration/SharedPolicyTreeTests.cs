using System.Text.Json.Nodes;
using k8s.Models;
using MetricsOperator.Alerts.Routing;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Grafana;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// Two environments' operators sharing one Grafana (the contract-checked fake), each with its own client and its own
/// stack (the same namespace/name, as two clusters' stacks are): the policy sync of each owns only its environment's
/// subtree, and writes interleaved through the fake's hooks — B writing between A's read and A's write, or a stale
/// tree landing right after A's write — end with both subtrees, the root and a person's route present.
/// </summary>
public sealed class SharedPolicyTreeTests : IAsyncLifetime
{
    private GrafanaFake grafana = null!;
    private Environment a = null!;
    private Environment b = null!;

    public async Task InitializeAsync()
    {
        grafana = await GrafanaFake.StartNewAsync();
        a = await Environment.StartAsync(grafana, "idfdev", "sqre");
        b = await Environment.StartAsync(grafana, "idfprod", "ops");
        // A person's route beside the environments', made in Grafana as people do (editable, no provenance).
        using var person = new GrafanaClient(grafana.BaseUri, GrafanaCredentials.Basic(grafana.AdminUser, grafana.AdminPassword));
        var tree = await person.GetPolicyTreeAsync();
        await person.PutPolicyTreeAsync(tree with { Routes = [new NotificationRoute { Receiver = GrafanaState.DefaultContactPoint, ObjectMatchers = [["app", "=", "hand-made"]] }] }, editable: true);
    }

    public async Task DisposeAsync()
    {
        a.Dispose();
        b.Dispose();
        await grafana.DisposeAsync();
        grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_write_between_the_others_read_and_write_is_lost_until_its_next_sync_and_then_both_subtrees_stay()
    {
        var once = 0;
        grafana.State.BeforePolicyWrite = async () =>
        {
            if (Interlocked.Exchange(ref once, 1) == 0)
            {
                (await b.SyncAsync()).ShouldBe(new PolicySyncResult(1, true), "B wrote and read its subtree back");
            }
        };

        (await a.SyncAsync()).ShouldBe(new PolicySyncResult(1, true));

        Subtree("idfprod").ShouldBeNull("A's PUT, merged into the tree it read before B wrote, replaced B's: Grafana's PUT has no precondition");
        Subtree("idfdev").ShouldNotBeNull();

        (await b.SyncAsync()).ShouldBe(new PolicySyncResult(1, true), "B's next reconcile finds its subtree missing and merges it back");
        (await a.SyncAsync()).ShouldBe(new PolicySyncResult(0, true), "A's subtree survived B's write");
        AssertBothSubtreesAndTheRestOfTheTree();
    }

    [Fact]
    public async Task A_stale_tree_landing_right_after_a_write_is_found_by_the_read_back_and_written_again()
    {
        using var bRead = new GrafanaClient(grafana.BaseUri, GrafanaCredentials.Basic(grafana.AdminUser, grafana.AdminPassword));
        var staleForB = await bRead.GetPolicyTreeAsync();
        var once = 0;
        grafana.State.AfterPolicyWrite = async () =>
        {
            if (Interlocked.Exchange(ref once, 1) == 0)
            {
                // B read before A's write and writes now: the tree B merged into lacks A's subtree.
                await b.Client.PutPolicyTreeAsync(PolicyTree.ToWrite(staleForB, b.Owned, "idfprod"), editable: false);
            }
        };

        (await a.SyncAsync()).ShouldBe(new PolicySyncResult(2, true), "A read its subtree back, found it gone, merged it into B's tree and wrote again");

        AssertBothSubtreesAndTheRestOfTheTree();
    }

    [Fact]
    public async Task A_writer_that_replaces_the_tree_after_every_write_makes_the_sync_report_that_it_does_not_hold()
    {
        var withoutA = grafana.State.PolicyTree;
        grafana.State.AfterPolicyWrite = () =>
        {
            grafana.State.SetPolicyTree(withoutA);
            return Task.CompletedTask;
        };

        (await a.SyncAsync()).ShouldBe(new PolicySyncResult(PolicySync.MaxWrites, false));
    }

    private JsonObject? Subtree(string environment) =>
        (grafana.State.PolicyTree["routes"] as JsonArray ?? []).OfType<JsonObject>()
            .SingleOrDefault(r => r["object_matchers"]?.ToJsonString() == new JsonArray(new JsonArray("environment", "=", environment)).ToJsonString());

    private void AssertBothSubtreesAndTheRestOfTheTree()
    {
        var tree = grafana.State.PolicyTree;
        ((string?)tree["receiver"]).ShouldBe(GrafanaState.DefaultContactPoint, "the root belongs to no environment");
        (tree["routes"] as JsonArray)!.OfType<JsonObject>().ShouldContain(r => r["object_matchers"]!.ToJsonString() == """[["app","=","hand-made"]]""", "a person's route is kept");
        foreach (var (environment, other) in new[] { ("idfdev", "idfprod"), ("idfprod", "idfdev") })
        {
            var subtree = Subtree(environment).ShouldNotBeNull($"{environment}'s subtree");
            var receivers = subtree.ToJsonString();
            receivers.ShouldContain($"\"{environment}_", Case.Sensitive);
            receivers.ShouldNotContain($"\"{other}_", Case.Sensitive, $"{environment}'s subtree routes to none of {other}'s contact points");
        }
    }

    /// <summary>One environment's operator: its stack (same namespace/name in every cluster), client and contact points.</summary>
    private sealed class Environment : IDisposable
    {
        private Environment(GrafanaClient client, NotificationRoute owned, string name)
        {
            Client = client;
            Owned = owned;
            Name = name;
        }

        public GrafanaClient Client { get; }

        public NotificationRoute Owned { get; }

        public string Name { get; }

        public static async Task<Environment> StartAsync(GrafanaFake grafana, string environment, string team)
        {
            var stack = new V1Alpha1MetricsStack
            {
                Metadata = new V1ObjectMeta { Name = "metrics", NamespaceProperty = "metrics" },
                Spec = new MetricsStackSpec
                {
                    Environment = environment,
                    Grafana = new GrafanaSpec
                    {
                        ContactPoints =
                        [
                            new ContactPoint { Name = "slack", Type = ContactPointType.Slack, SecretRef = new SecretKeySelector { Name = "s", Key = "slack" } },
                            new ContactPoint { Name = "email", Type = ContactPointType.Email, SecretRef = new SecretKeySelector { Name = "s", Key = "email" } },
                        ],
                        Routes = [new NotificationRouteSpec { Matchers = [new LabelMatcher { Label = "team", Operator = MatchOperator.Equal, Value = team }], ContactPoint = "email" }],
                    },
                },
            };
            var client = new GrafanaClient(grafana.BaseUri, GrafanaCredentials.Token(grafana.AddServiceAccountToken()));
            await client.CreateContactPointAsync(AlertRouting.ContactPoint(stack, stack.Spec.Grafana.ContactPoints[0], "https://hooks.slack.com/services/T/B/" + environment), editable: false);
            await client.CreateContactPointAsync(AlertRouting.ContactPoint(stack, stack.Spec.Grafana.ContactPoints[1], $"{team}@example.org"), editable: false);
            return new Environment(client, AlertRouting.StackPolicy(stack, "slack", []), environment);
        }

        public Task<PolicySyncResult> SyncAsync() => PolicySync.SyncAsync(Client, Owned, Name, CancellationToken.None);

        public void Dispose() => Client.Dispose();
    }
}

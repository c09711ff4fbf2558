using System.Diagnostics;
using k8s.Models;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Runtime.Leader;

namespace MetricsOperator.Runtime.Tests.Integration;

[Collection(SharedPlaneGroup.Name)]
public sealed class LeaderElectionTests(SharedPlaneFixture fixture)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromMilliseconds(500);

    private static ManagerOptions Options(string ns, string identity, bool release) => new()
    {
        Namespace = ns,
        LeaderElection = new LeaderElectionOptions
        {
            LeaseName = "runtime-test-leader",
            LeaseNamespace = ns,
            Identity = identity,
            LeaseDuration = Lease,
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = RetryPeriod,
            ReleaseOnCancel = release,
        },
    };

    private (RunningManager Manager, RecordingReconciler Reconciler) Instance(string ns, string identity, bool release)
    {
        var reconciler = new RecordingReconciler();
        var running = new RunningManager(fixture.Plane, Options(ns, identity, release));
        running.Manager.NewController().For<Widget>().Complete(reconciler);
        return (running, reconciler);
    }

    [Fact]
    public async Task Only_the_leader_reconciles_and_a_follower_takes_over_within_the_lease_after_the_leader_dies()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("le");
        var (a, reconcilerA) = Instance(ns, "a", release: false);
        var (b, reconcilerB) = Instance(ns, "b", release: false);
        await using (a)
        await using (b)
        {
            a.Start();
            await Eventually.UntilAsync(() => a.Manager.IsLeader, "a leads");
            b.Start();
            await b.WaitReadyAsync();

            await fixture.Admin.CreateAsync(Widget.Named(ns, "first"));
            await Eventually.UntilAsync(() => reconcilerA.CountFor("first") > 0, "the leader reconciles");
            await Eventually.UntilAsync(() => b.Manager.Cache.TryGetStore<Widget>()!.Count == 1, "the follower's cache has the object too");
            b.Manager.IsLeader.ShouldBeFalse();
            reconcilerB.Calls.ShouldBeEmpty("a follower never reconciles");
            (await b.MetricAsync("leader_election_master_status")).ShouldBe(0);
            (await a.MetricAsync("leader_election_master_status")).ShouldBe(1);

            // The leader dies without releasing the lease; its last renewal is the lease's renewTime (this machine's clock).
            await a.StopAsync();
            a.Manager.IsLeader.ShouldBeFalse();
            var lastRenewal = (await fixture.Admin.GetAsync<V1Lease>(ns, "runtime-test-leader"))!.Spec.RenewTime!.Value;
            lastRenewal.Kind.ShouldBe(DateTimeKind.Utc, "the API server's MicroTime is read as UTC");
            await Eventually.UntilAsync(() => b.Manager.IsLeader, "b takes over", TimeSpan.FromSeconds(15));
            var takeover = DateTime.UtcNow - lastRenewal;

            // b counts the lease from when it first read that renewal (at most one retry period after it, jittered by up
            // to 20 % as client-go's JitterFactor does) and takes it at its first try after the lease ran out (at most
            // another); the rest is the API server's answers and this test's 50 ms polling.
            takeover.ShouldBeGreaterThanOrEqualTo(Lease, "never before the lease ran out");
            takeover.ShouldBeLessThan(Lease + (2 * 1.2 * RetryPeriod) + TimeSpan.FromSeconds(1), "takeover within the lease plus two retry periods");

            await Eventually.UntilAsync(() => reconcilerB.CountFor("first") > 0, "the new leader reconciles what it had queued");
            var aCalls = reconcilerA.Calls.Count;
            await fixture.Admin.CreateAsync(Widget.Named(ns, "second"));
            await Eventually.UntilAsync(() => reconcilerB.CountFor("second") > 0, "the new leader reconciles new objects");
            reconcilerA.Calls.Count.ShouldBe(aCalls, "the dead leader reconciles nothing more");
        }
    }

    [Fact]
    public async Task A_leader_that_shuts_down_gracefully_releases_the_lease_so_the_follower_takes_over_at_once()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("le");
        var (a, _) = Instance(ns, "a", release: true);
        var (b, _) = Instance(ns, "b", release: true);
        await using (a)
        await using (b)
        {
            a.Start();
            await Eventually.UntilAsync(() => a.Manager.IsLeader, "a leads");
            b.Start();
            await b.WaitReadyAsync();

            await a.StopAsync();
            var stopped = Stopwatch.StartNew();
            var lease = await fixture.Admin.GetAsync<V1Lease>(ns, "runtime-test-leader");
            lease!.Spec.HolderIdentity.ShouldBeNull("released");
            await Eventually.UntilAsync(() => b.Manager.IsLeader, "b takes over");
            stopped.Elapsed.ShouldBeLessThan(Lease, "a released lease is taken at the next retry, not after expiry");
        }
    }
}

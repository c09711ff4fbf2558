using MetricsOperator.Alerts;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.LocalCluster;
using MetricsOperator.Tests.Integration;
using MetricsOperator.TestSupport;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// The collision, as two Phalanx environments meet it: two clusters (the shared API server and a private one),
/// each with its operator, a MetricsStack pointing at ONE central Grafana (the fake) with its own environment, and the
/// same gafaelfawr AppAlert (namespace gafaelfawr, name gafaelfawr, same rules). Without the environment in every
/// identity both would write folder app-gafaelfawr, group gafaelfawr_gafaelfawr and the same rule UIDs, and deleting one
/// would delete the other's rules.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class TwoEnvironmentsTests(ApiServerFixture fixture)
{
    private const string App = "gafaelfawr";

    [Fact]
    public async Task Two_environments_share_one_grafana_without_seeing_each_other()
    {
        await using var central = await GrafanaFake.StartNewAsync();
        await using var otherCluster = await ControlPlane.StartPrivateAsync();
        await ClusterSetup.InstallGeneratedAsync(otherCluster);
        await using var idfdev = await AlertOperator.StartAsync(fixture.Plane, sharedGrafana: central, environment: "idfdev", @namespace: App);
        await using var idfprod = await AlertOperator.StartAsync(otherCluster, sharedGrafana: central, environment: "idfprod", @namespace: App);

        await idfdev.CreateAsync(Alert(App, App, Rule("Login failures"), Rule("Slow logins")));
        await idfprod.CreateAsync(Alert(App, App, Rule("Login failures"), Rule("Slow logins")));
        var dev = await idfdev.WaitForReadyAsync(App, "True", AppAlertReasons.Synced);
        var prod = await idfprod.WaitForReadyAsync(App, "True", AppAlertReasons.Synced);

        // Each environment's own folder, group and rule UIDs.
        (dev.Status!.Grafana!.FolderUid, dev.Status.Grafana.RuleGroup).ShouldBe(("app-idfdev_gafaelfawr", "idfdev_gafaelfawr_gafaelfawr"));
        (prod.Status!.Grafana!.FolderUid, prod.Status.Grafana.RuleGroup).ShouldBe(("app-idfprod_gafaelfawr", "idfprod_gafaelfawr_gafaelfawr"));
        dev.Status.Rules!.Select(r => r.Uid).Intersect(prod.Status.Rules!.Select(r => r.Uid)).ShouldBeEmpty();
        central.State.Folder("app-idfdev_gafaelfawr").ShouldNotBeNull().Title.ShouldBe("gafaelfawr (idfdev)");
        central.State.Folder("app-idfprod_gafaelfawr").ShouldNotBeNull().Title.ShouldBe("gafaelfawr (idfprod)");
        central.State.RuleCount.ShouldBe(4);

        // Every rule says which environment it is, reads that environment's datasource, and lives only in its folder.
        foreach (var (environment, status) in new[] { ("idfdev", dev), ("idfprod", prod) })
        {
            var group = central.State.Group(status.Status!.Grafana!.FolderUid!, status.Status.Grafana.RuleGroup!).ShouldNotBeNull();
            group.Rules.Select(r => r["title"]!.GetValue<string>()).ShouldBe(["Login failures", "Slow logins"]);
            group.Rules.ShouldAllBe(r => r["labels"]![AlertNames.EnvironmentLabel]!.GetValue<string>() == environment);
            group.Rules.ShouldAllBe(r => r["data"]![0]!["datasourceUid"]!.GetValue<string>() == $"influxdb-influxql-{environment}");
            status.Status.Rules!.Select(r => r.Uid).ShouldBe(group.Rules.Select(r => r["uid"]!.GetValue<string>()));
        }

        // Deleting one environment's AppAlert leaves the other's folder, group and rules exactly as they were.
        var prodBefore = central.State.Group("app-idfprod_gafaelfawr", "idfprod_gafaelfawr_gafaelfawr")!.Rules.Select(r => r.ToJsonString()).ToList();
        await idfdev.DeleteAsync(App);
        await Eventually.UntilAsync(async () => await idfdev.GetAsync(App) is null ? "gone" : null, _ => true, "idfdev's AppAlert is gone");
        central.State.Folder("app-idfdev_gafaelfawr").ShouldBeNull("idfdev's folder went with its last group");
        central.State.Folder("app-idfprod_gafaelfawr").ShouldNotBeNull();
        central.State.Group("app-idfprod_gafaelfawr", "idfprod_gafaelfawr_gafaelfawr")!.Rules.Select(r => r.ToJsonString()).ShouldBe(prodBefore);
        central.State.RuleCount.ShouldBe(2);
        (await idfprod.GetAsync(App))!.Status!.Conditions!.Single(c => c.Type == "Ready").Status.ShouldBe("True");
        central.Contract.AssertNoContractViolations();
    }

    /// <summary>
    /// The migration docs/environments.md describes: changing spec.environment moves every rule, and leaves nothing
    /// behind. The docs' case is adding it to a managed-mode stack; that needs the managed Grafana's admin Secret, which
    /// the operator makes and a fixture may not (no MetricsStack controller runs here), and an external-mode stack
    /// without an environment is refused by the product. So the move is driven by what the product allows here: an
    /// external stack's environment changing ("test" to "idfdev"), the same path (status names the old folder and
    /// group, the new identities differ from them). That the unset identities are byte-for-byte the old ones is
    /// pinned by AlertNamesTests and EnvironmentIdentityTests.
    /// </summary>
    [Fact]
    public async Task Changing_the_environment_moves_the_rules_into_the_new_environments_folder()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        var alert = Alert(op.Namespace, "login", Rule("Login failures"), Rule("Slow logins"));
        alert.Spec.App = App;
        await op.CreateAsync(alert);
        var oldFolder = AlertNames.FolderUid(App, AlertOperator.DefaultEnvironment);
        (await op.WaitForReadyAsync("login", "True", AppAlertReasons.Synced)).Status!.Grafana!.FolderUid.ShouldBe(oldFolder);

        // The stack's spec changes; its reconciler (played here) reports GrafanaReady at the new generation.
        await op.PatchStackSpecAsync(new { environment = "idfdev" });
        await op.SetStackStatusAsync();

        var moved = await Eventually.UntilAsync(() => op.GetAsync("login"),
            a => a.Status?.Grafana?.FolderUid == "app-idfdev_gafaelfawr" && a.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true,
            "the rules moved to idfdev's folder");
        moved.Status!.Grafana!.RuleGroup.ShouldBe($"idfdev_{op.Namespace}_login");
        moved.Status.Rules!.Select(r => r.Uid).ShouldBe(
            [AlertNames.RuleUid(op.Namespace, "login", "Login failures", "idfdev"), AlertNames.RuleUid(op.Namespace, "login", "Slow logins", "idfdev")]);
        op.Grafana.State.Folder(oldFolder).ShouldBeNull("the old folder went with its last group");
        op.Grafana.State.RuleCount.ShouldBe(2, "the old rules are gone, not left beside the new ones");
        op.Grafana.State.Group("app-idfdev_gafaelfawr", $"idfdev_{op.Namespace}_login")!.Rules
            .ShouldAllBe(r => r["labels"]![AlertNames.EnvironmentLabel]!.GetValue<string>() == "idfdev");
        op.Grafana.Contract.AssertNoContractViolations();
    }
}

using MetricsOperator.Alerts;
using MetricsOperator.Grafana;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts;

public sealed class GrafanaSnapshotTests
{
    [Fact]
    public void Groups_rules_by_folder_and_group_and_follows_moves()
    {
        var one = AppAlertMapping.Plan(Alert("ns", "one", Rule("a"), Rule("b")), BothDatasources).Group!;
        var snapshot = new GrafanaSnapshot([new GrafanaFolder { Uid = one.FolderUid, Title = "ns" }], one.Rules.Select(r => r.Grafana), DateTimeOffset.UtcNow);
        snapshot.HasFolder(one.FolderUid).ShouldBeTrue();
        snapshot.Group(one.FolderUid, one.Group)!.Rules.Count.ShouldBe(2);
        snapshot.Group(one.FolderUid, one.Group)!.IntervalSeconds.ShouldBeNull();
        snapshot.RuleExists(one.Rules[0].Grafana.Uid!).ShouldBeTrue();

        // Rule "a" moves to another group (a PUT there took it along).
        var moved = one.Rules[0].Grafana with { RuleGroup = "other" };
        snapshot.SetGroup(one.FolderUid, "other", new AlertRuleGroup { Interval = 60, Rules = [moved] });
        snapshot.Group(one.FolderUid, one.Group)!.Rules.ShouldHaveSingleItem().Title.ShouldBe("b");
        snapshot.GroupsIn(one.FolderUid).Count.ShouldBe(2);

        snapshot.SetGroup(one.FolderUid, one.Group, null);
        snapshot.Group(one.FolderUid, one.Group).ShouldBeNull();
        snapshot.RuleExists(one.Rules[1].Grafana.Uid!).ShouldBeFalse();
        snapshot.RuleExists(moved.Uid!).ShouldBeTrue();
    }
}

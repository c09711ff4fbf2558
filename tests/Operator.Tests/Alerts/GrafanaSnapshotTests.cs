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
        snapshot.SetGroup(one.FolderUid, "other", ObservedRuleGroup.Of(60, [moved]));
        snapshot.Group(one.FolderUid, one.Group)!.Rules.ShouldHaveSingleItem().Fields.Title.ShouldBe("b");
        snapshot.GroupsIn(one.FolderUid).Count.ShouldBe(2);

        snapshot.SetGroup(one.FolderUid, one.Group, null);
        snapshot.Group(one.FolderUid, one.Group).ShouldBeNull();
        snapshot.RuleExists(one.Rules[1].Grafana.Uid!).ShouldBeFalse();
        snapshot.RuleExists(moved.Uid!).ShouldBeTrue();
    }

    [Fact]
    public void Rules_are_kept_without_model_objects_and_their_models_read_back_as_grafana_sent_them()
    {
        var rule = AppAlertMapping.Plan(Alert("ns", "one", Rule("a")), BothDatasources).Group!.Rules[0].Grafana;
        var snapshot = new GrafanaSnapshot([], [rule], DateTimeOffset.UtcNow);

        var kept = snapshot.Group(rule.FolderUid, rule.RuleGroup)!.Rules.ShouldHaveSingleItem();
        kept.Fields.Data.ShouldBeEmpty("the models are kept as text only");
        kept.Fields.ShouldBe(rule with { Data = kept.Fields.Data });
        kept.Data.Count.ShouldBe(rule.Data.Count);
        for (var i = 0; i < rule.Data.Count; i++)
        {
            kept.Data[i].RefId.ShouldBe(rule.Data[i].RefId);
            kept.Data[i].DatasourceUid.ShouldBe(rule.Data[i].DatasourceUid);
            kept.Data[i].RelativeTimeRange.ShouldBe(rule.Data[i].RelativeTimeRange);
            System.Text.Json.Nodes.JsonNode.DeepEquals(kept.Data[i].Model(), rule.Data[i].Model).ShouldBeTrue(rule.Data[i].RefId);
        }
    }
}

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
        snapshot.SetGroup(one.FolderUid, "other", 60, [moved]);
        snapshot.Group(one.FolderUid, one.Group)!.Rules.ShouldHaveSingleItem().Fields.Title.ShouldBe("b");
        snapshot.GroupsIn(one.FolderUid).Count.ShouldBe(2);
        snapshot.Group(one.FolderUid, "other")!.IntervalSeconds.ShouldBe(60);

        snapshot.RemoveGroup(one.FolderUid, one.Group);
        snapshot.Group(one.FolderUid, one.Group).ShouldBeNull();
        snapshot.RuleExists(one.Rules[1].Grafana.Uid!).ShouldBeFalse();
        snapshot.RuleExists(moved.Uid!).ShouldBeTrue();
    }

    [Fact]
    public void Rules_read_back_as_grafana_sent_them_each_model_as_text()
    {
        var rule = AppAlertMapping.Plan(Alert("ns", "one", Rule("a")), BothDatasources).Group!.Rules[0].Grafana;
        var snapshot = new GrafanaSnapshot([], [rule], DateTimeOffset.UtcNow);

        var kept = snapshot.Group(rule.FolderUid, rule.RuleGroup)!.Rules.ShouldHaveSingleItem();
        kept.Fields.Data.ShouldBeEmpty("the models are compared as text only");
        kept.Fields.ShouldBe(rule with { Data = kept.Fields.Data, Labels = kept.Fields.Labels });
        kept.Fields.Labels.ShouldBe(rule.Labels);
        kept.Data.Count.ShouldBe(rule.Data.Count);
        for (var i = 0; i < rule.Data.Count; i++)
        {
            kept.Data[i].RefId.ShouldBe(rule.Data[i].RefId);
            kept.Data[i].DatasourceUid.ShouldBe(rule.Data[i].DatasourceUid);
            kept.Data[i].RelativeTimeRange.ShouldBe(rule.Data[i].RelativeTimeRange);
            System.Text.Json.Nodes.JsonNode.DeepEquals(kept.Data[i].Model(), rule.Data[i].Model).ShouldBeTrue(rule.Data[i].RefId);
        }

        snapshot.Group(rule.FolderUid, rule.RuleGroup).ShouldNotBeSameAs(snapshot.Group(rule.FolderUid, rule.RuleGroup), "read back each call, never shared between reconciles");
    }

    [Fact]
    public void A_group_is_kept_deflated_in_a_fraction_of_its_json()
    {
        var group = AppAlertMapping.Plan(Alert("ns", "one", Rule("a"), Rule("b"), Rule("c"), Rule("d"), Rule("e")), BothDatasources).Group!;
        // As Grafana returns them: marked with the provenance the operator writes them with.
        var rules = group.Rules.Select(r => r.Grafana with { Provenance = group.Provenance }).ToList();
        var snapshot = new GrafanaSnapshot([], rules, DateTimeOffset.UtcNow);
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(rules, GrafanaJson.Options);

        snapshot.PackedBytes.ShouldBeGreaterThan(0);
        snapshot.PackedBytes.ShouldBeLessThan(json.Length / 4, $"{json.Length} bytes of JSON");
        RuleGroupDiff.Compare(group, snapshot.Group(group.FolderUid, group.Group), snapshot.RuleExists).Differences.ShouldBeEmpty("what was packed compares equal to what was desired");
    }

    [Fact]
    public void Rules_moved_together_leave_their_old_group_once_and_it_goes_when_empty()
    {
        var one = AppAlertMapping.Plan(Alert("ns", "one", Rule("a"), Rule("b"), Rule("c")), BothDatasources).Group!;
        var snapshot = new GrafanaSnapshot([], one.Rules.Select(r => r.Grafana), DateTimeOffset.UtcNow);

        snapshot.SetGroup(one.FolderUid, "other", 60, [.. one.Rules.Take(2).Select(r => r.Grafana with { RuleGroup = "other" })]);
        var left = snapshot.Group(one.FolderUid, one.Group)!.Rules.ShouldHaveSingleItem();
        left.Fields.Title.ShouldBe(one.Rules[2].Grafana.Title);
        left.Data.Select(q => q.Model().ToJsonString()).ShouldBe(one.Rules[2].Grafana.Data.Select(q => q.Model.ToJsonString()), "repacked with its models whole");
        snapshot.SetGroup(one.FolderUid, "third", null, [one.Rules[2].Grafana with { RuleGroup = "third" }]);
        snapshot.Group(one.FolderUid, one.Group).ShouldBeNull("its last rule moved");
        snapshot.GroupsIn(one.FolderUid).Order().ShouldBe(["other", "third"]);
        snapshot.GroupCount.ShouldBe(2);
    }
}

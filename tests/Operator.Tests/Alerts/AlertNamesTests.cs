using MetricsOperator.Alerts;

namespace MetricsOperator.Tests.Alerts;

public sealed class AlertNamesTests
{
    [Theory]
    [InlineData("gafaelfawr")]
    [InlineData("a")]
    [InlineData("an-app-name-that-is-exactly-sixty-three-characters-long-abcdefg")]
    public void Folder_uids_are_valid_grafana_uids_and_stable(string app)
    {
        var uid = AlertNames.FolderUid(app);
        AlertNames.IsValidUid(uid).ShouldBeTrue(uid);
        uid.Length.ShouldBeLessThanOrEqualTo(40);
        uid.ShouldStartWith(AlertNames.FolderPrefix);
        AlertNames.FolderUid(app).ShouldBe(uid);
    }

    [Fact]
    public void A_short_app_keeps_its_name_in_the_folder_uid() =>
        AlertNames.FolderUid("gafaelfawr").ShouldBe("app-gafaelfawr");

    [Fact]
    public void Long_apps_with_the_same_prefix_get_different_folder_uids()
    {
        var a = AlertNames.FolderUid(new string('a', 50) + "-one");
        var b = AlertNames.FolderUid(new string('a', 50) + "-two");
        a.ShouldNotBe(b);
        a.Length.ShouldBeLessThanOrEqualTo(40);
    }

    [Fact]
    public void Rule_uids_are_deterministic_valid_and_distinct()
    {
        var uid = AlertNames.RuleUid("gafaelfawr", "gafaelfawr", "Login failures");
        AlertNames.RuleUid("gafaelfawr", "gafaelfawr", "Login failures").ShouldBe(uid);
        AlertNames.IsValidUid(uid).ShouldBeTrue();
        uid.Length.ShouldBeLessThanOrEqualTo(40);
        uid.ShouldStartWith(AlertNames.RulePrefix);
        AlertNames.RuleUid("gafaelfawr", "gafaelfawr", "Slow logins").ShouldNotBe(uid);
        AlertNames.RuleUid("other", "gafaelfawr", "Login failures").ShouldNotBe(uid);
        AlertNames.RuleUid("gafaelfawr", "other", "Login failures").ShouldNotBe(uid);
    }

    [Fact]
    public void Rule_uids_do_not_collide_by_concatenation() =>
        AlertNames.RuleUid("ab", "c", "d").ShouldNotBe(AlertNames.RuleUid("a", "bc", "d"));

    [Fact]
    public void Rule_uids_are_pinned_so_a_change_of_scheme_is_deliberate() =>
        // Changing the scheme would orphan every rule in every Grafana: this test must only change with a migration.
        AlertNames.RuleUid("gafaelfawr", "gafaelfawr", "Login failures").ShouldBe("appalert-" + AlertNames.Hash("gafaelfawr\0gafaelfawr\0Login failures", 24));

    [Fact]
    public void Many_rule_uids_do_not_collide()
    {
        var uids = Enumerable.Range(0, 5000).Select(i => AlertNames.RuleUid($"ns{i % 100}", $"alert{i / 100}", $"rule {i}")).ToHashSet();
        uids.Count.ShouldBe(5000);
    }

    [Fact]
    public void Rule_groups_read_namespace_and_name()
    {
        AlertNames.RuleGroup("gafaelfawr", "gafaelfawr").ShouldBe("gafaelfawr_gafaelfawr");
    }

    [Fact]
    public void Rule_groups_longer_than_190_are_cut_with_a_hash()
    {
        var ns = new string('n', 63);
        var a = AlertNames.RuleGroup(ns, new string('x', 200) + "a");
        var b = AlertNames.RuleGroup(ns, new string('x', 200) + "b");
        a.Length.ShouldBe(190);
        b.Length.ShouldBe(190);
        a.ShouldNotBe(b);
        AlertNames.RuleGroup(ns, new string('x', 200) + "a").ShouldBe(a);
    }

    [Fact]
    public void A_rule_group_of_exactly_190_is_kept_whole()
    {
        var name = new string('x', 190 - 3 - 1);
        AlertNames.RuleGroup("abc", name).ShouldBe("abc_" + name);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("abc", true)]
    [InlineData("a_b-C9", true)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("0123456789012345678901234567890123456789", true)]
    [InlineData("01234567890123456789012345678901234567890", false)]
    public void Uid_validity_follows_grafana(string uid, bool valid) => AlertNames.IsValidUid(uid).ShouldBe(valid);
}

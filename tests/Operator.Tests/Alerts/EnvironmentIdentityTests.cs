using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using StackSamples = MetricsOperator.Tests.Stacks.Stacks;
using static MetricsOperator.Tests.Alerts.AlertSamples;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Alerts;

/// <summary>spec.environment in every Grafana identity of a stack's rules (pure: AlertNames, mapping, facts).</summary>
public sealed class EnvironmentIdentityTests
{
    private static readonly StackAlertingFacts IdfDev = BothDatasources with { Environment = "idfdev" };

    [Fact]
    public void Without_an_environment_every_identity_is_as_before_environments()
    {
        var group = AppAlertMapping.Plan(Alert("gafaelfawr", "gafaelfawr"), BothDatasources).Group!;

        (group.FolderUid, group.FolderTitle, group.Group).ShouldBe(("app-gafaelfawr", "gafaelfawr", "gafaelfawr_gafaelfawr"));
        group.Rules[0].Grafana.Uid.ShouldBe("appalert-" + AlertNames.Hash("gafaelfawr\0gafaelfawr\0Login failures", 24));
        group.Rules[0].Grafana.Labels!.ShouldNotContainKey(AlertNames.EnvironmentLabel);
    }

    [Fact]
    public void With_an_environment_the_folder_group_rule_uid_and_labels_carry_it()
    {
        var group = AppAlertMapping.Plan(Alert("gafaelfawr", "gafaelfawr"), IdfDev).Group!;

        (group.FolderUid, group.FolderTitle, group.Group).ShouldBe(("app-idfdev_gafaelfawr", "gafaelfawr (idfdev)", "idfdev_gafaelfawr_gafaelfawr"));
        var rule = group.Rules.ShouldHaveSingleItem().Grafana;
        rule.Uid.ShouldBe("appalert-" + AlertNames.Hash("idfdev\0gafaelfawr\0gafaelfawr\0Login failures", 24));
        (rule.FolderUid, rule.RuleGroup).ShouldBe((group.FolderUid, group.Group));
        rule.Labels![AlertNames.EnvironmentLabel].ShouldBe("idfdev");
    }

    [Fact]
    public void Two_environments_never_share_a_folder_group_or_rule_uid()
    {
        var dev = AppAlertMapping.Plan(Alert("gafaelfawr", "gafaelfawr"), IdfDev).Group!;
        var prod = AppAlertMapping.Plan(Alert("gafaelfawr", "gafaelfawr"), IdfDev with { Environment = "idfprod" }).Group!;
        var none = AppAlertMapping.Plan(Alert("gafaelfawr", "gafaelfawr"), BothDatasources).Group!;

        new[] { dev.FolderUid, prod.FolderUid, none.FolderUid }.Distinct().Count().ShouldBe(3);
        new[] { dev.FolderTitle, prod.FolderTitle, none.FolderTitle }.Distinct().Count().ShouldBe(3, "Grafana keeps folder titles apart in the folder list");
        new[] { dev.Group, prod.Group, none.Group }.Distinct().Count().ShouldBe(3);
        new[] { dev, prod, none }.Select(g => g.Rules[0].Grafana.Uid).Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public void A_user_label_named_environment_cannot_claim_another_environment()
    {
        var rule = Rule("r");
        rule.Labels = new Dictionary<string, string> { [AlertNames.EnvironmentLabel] = "idfprod" };

        AppAlertMapping.Plan(Alert("gafaelfawr", "gafaelfawr", rule), IdfDev).Group!.Rules[0].Grafana.Labels![AlertNames.EnvironmentLabel].ShouldBe("idfdev");
    }

    [Fact]
    public void A_rules_own_contact_point_and_mute_timings_are_named_as_the_environment_names_them_in_grafana()
    {
        var rule = Rule("r");
        rule.Notification = new AlertNotification { ContactPoint = "email-team", MuteTimings = ["nights"] };

        var settings = AppAlertMapping.Plan(Alert("a", "b", rule), IdfDev).Group!.Rules.Single().Grafana.NotificationSettings!;

        // The stack's routing writes contact points and mute timings as <environment>-<name>; a rule naming the spec's
        // name must reach the same object, or Grafana refuses the rule.
        settings.Receiver.ShouldBe("idfdev_email-team");
        settings.MuteTimeIntervals.ShouldBe(["idfdev_nights"]);
    }

    [Theory]
    [InlineData("a", "b")]
    [InlineData("an-environment-name-of-forty-characters1", "gafaelfawr")]
    [InlineData("an-environment-name-of-forty-characters1", "an-app-name-that-is-exactly-sixty-three-characters-long-abcdefg")]
    public void Long_environments_and_apps_give_valid_distinct_uids(string environment, string app)
    {
        var folder = AlertNames.FolderUid(app, environment);
        var datasource = AlertNames.DatasourceUid("influxdb-influxql", environment);

        AlertNames.IsValidUid(folder).ShouldBeTrue(folder);
        AlertNames.IsValidUid(datasource).ShouldBeTrue(datasource);
        // Folder cleanup deletes only folders with the operator's prefix.
        folder.ShouldStartWith(AlertNames.FolderPrefix);
        var neighbour = environment[..^1] + "z";
        folder.ShouldNotBe(AlertNames.FolderUid(app, neighbour));
        datasource.ShouldNotBe(AlertNames.DatasourceUid("influxdb-influxql", neighbour));
        (folder.Length, datasource.Length).ShouldBe((Math.Min(40, $"app-{environment}_{app}".Length), Math.Min(40, $"influxdb-influxql-{environment}".Length)));
    }

    [Fact]
    public void A_managed_grafana_keeps_its_fixed_datasource_uids_and_an_external_one_gets_the_environments()
    {
        var managed = StackAlertingFacts.From(DefaultedStack.Of(StackSamples.MinimalSampleWith(s => s.Environment = "idfdev")));
        var external = StackAlertingFacts.From(DefaultedStack.Of(StackSamples.MinimalSampleWith(s =>
        {
            s.Environment = "idfdev";
            s.Grafana!.Mode = GrafanaMode.External;
            s.Grafana.Url = "https://grafana.example.org";
            s.Grafana.CredentialsSecret = new SecretReference { Name = "grafana-credentials" };
        })));

        (managed.InfluxQlDatasourceUid, managed.FluxDatasourceUid, managed.Environment).ShouldBe(("influxdb-influxql", "influxdb-flux", "idfdev"));
        (external.InfluxQlDatasourceUid, external.FluxDatasourceUid, external.Environment).ShouldBe(("influxdb-influxql-idfdev", "influxdb-flux-idfdev", "idfdev"));
        AppAlertMapping.Plan(Alert("gafaelfawr", "gafaelfawr"), external).Group!.Rules[0].Grafana.Data[0].DatasourceUid.ShouldBe("influxdb-influxql-idfdev");
        StackAlertingFacts.From(DefaultedStack.Of(StackSamples.MinimalSample())).Environment.ShouldBeNull();
    }

    [Fact]
    public void Title_ownership_reads_the_environments_folder_from_status()
    {
        var held = Alert("ns-b", "held", Rule("r"));
        held.Metadata.CreationTimestamp = new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc);
        held.Spec.App = "shared";
        held.Status = new AppAlertStatus
        {
            Grafana = new GrafanaRuleGroupStatus { FolderUid = AlertNames.FolderUid("shared", "idfdev"), RuleGroup = "g" },
            Rules = [new AlertRuleStatus { Name = "r", Synced = true }],
        };
        var older = Alert("ns-a", "older", Rule("r"));
        older.Metadata.CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        older.Spec.App = "shared";

        // The held title stays with the AppAlert Grafana holds it for, though the other is older.
        DuplicateTitles.Find(older, [older, held], "idfdev").ShouldHaveSingleItem().Other.Name.ShouldBe("held");
        DuplicateTitles.Find(held, [older, held], "idfdev").ShouldBeEmpty();
    }
}

/// <summary>Validation of spec.environment (pure).</summary>
public sealed class EnvironmentValidationTests
{
    [Fact]
    public void An_external_grafana_without_an_environment_is_refused_naming_the_field()
    {
        var stack = StackSamples.MinimalSampleWith(s =>
        {
            s.Grafana!.Mode = GrafanaMode.External;
            s.Grafana.Url = "https://grafana.example.org";
            s.Grafana.CredentialsSecret = new SecretReference { Name = "grafana-credentials" };
        });

        MetricsOperator.Stacks.StackValidation.Validate(DefaultedStack.Of(stack)).ShouldHaveSingleItem().Field.ShouldBe("spec.environment");
        stack.Spec.Environment = "idfdev";
        MetricsOperator.Stacks.StackValidation.Validate(DefaultedStack.Of(stack)).ShouldBeEmpty();
    }

    [Fact]
    public void A_managed_grafana_needs_no_environment() =>
        MetricsOperator.Stacks.StackValidation.Validate(DefaultedStack.Of(StackSamples.MinimalSample())).ShouldBeEmpty();
}

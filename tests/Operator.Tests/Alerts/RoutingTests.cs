using k8s.Models;
using MetricsOperator.Alerts.Routing;
using MetricsOperator.Crds;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts;

public sealed class RoutingTests
{
    private static readonly V1Alpha1MetricsStack Stack = new() { Metadata = new V1ObjectMeta { Name = "metrics", NamespaceProperty = "metrics" } };

    private static V1Alpha1AppAlert Routed(string ns, string name, string? app, string? contactPoint)
    {
        var alert = Alert(ns, name);
        alert.Spec.App = app;
        alert.Spec.ContactPoint = contactPoint;
        return alert;
    }

    [Fact]
    public void The_root_goes_to_the_default_and_each_appalert_naming_another_contact_point_gets_its_own_route()
    {
        var policy = AlertRouting.Policy("slack-alerts", [
            Routed("gafaelfawr", "a", null, "email-team"),
            Routed("noteburst", "b", null, null),
            Routed("times-square", "c", null, "slack-alerts"),
        ]);
        policy.Receiver.ShouldBe("slack-alerts");
        var route = policy.Routes.ShouldHaveSingleItem();
        route.Receiver.ShouldBe("email-team");
        route.ObjectMatchers.ShouldBe([["namespace", "=", "gafaelfawr"], ["appalert", "=", "a"]]);
    }

    [Fact]
    public void An_appalert_naming_another_teams_app_steers_only_its_own_rules()
    {
        // ns2 claims app "shared" (ns1's) with its own contact point: its route matches its own namespace and name only,
        // so ns1's rules (labels namespace=ns1, appalert=a) still reach ns1's contact point.
        var policy = AlertRouting.Policy("default", [Routed("ns1", "a", "shared", "one"), Routed("ns2", "b", "shared", "two")]);

        policy.Routes!.Select(r => (r.Receiver, r.ObjectMatchers![0][2], r.ObjectMatchers[1][2])).ShouldBe([("one", "ns1", "a"), ("two", "ns2", "b")]);
        policy.Routes!.ShouldAllBe(r => r.ObjectMatchers!.All(m => m[0] != "app"), "nothing routes on the app label, which any AppAlert may set");
        var ns1Rule = new Dictionary<string, string> { ["app"] = "shared", ["namespace"] = "ns1", ["appalert"] = "a" };
        Receiver(policy, ns1Rule).ShouldBe("one");
        Receiver(policy, new Dictionary<string, string> { ["app"] = "shared", ["namespace"] = "ns1", ["appalert"] = "other" }).ShouldBe("default");
    }

    [Fact]
    public void Rules_carry_the_labels_the_routes_match_and_a_users_label_cannot_claim_them()
    {
        var alert = Alert("ns1", "a", Rule("r1"));
        alert.Spec.Rules[0].Labels = new Dictionary<string, string> { ["appalert"] = "someone-else", ["namespace"] = "elsewhere", ["team"] = "sqre" };

        var plan = MetricsOperator.Alerts.AppAlertMapping.Plan(alert, BothDatasources);

        var labels = plan.Group.ShouldNotBeNull().Rules.ShouldHaveSingleItem().Grafana.Labels!;
        (labels["namespace"], labels["appalert"], labels["team"]).ShouldBe(("ns1", "a", "sqre"));
    }

    // The receiver Grafana picks for a rule's labels: the first child route whose matchers all match, else the root's.
    private static string? Receiver(MetricsOperator.Grafana.NotificationRoute policy, Dictionary<string, string> labels) =>
        policy.Routes?.FirstOrDefault(r => r.ObjectMatchers!.All(m => m[1] == "=" && labels.TryGetValue(m[0], out var v) && v == m[2]))?.Receiver ?? policy.Receiver;

    [Fact]
    public void The_policy_compares_equal_to_itself_as_provisioned_and_differs_when_a_route_changes()
    {
        var policy = AlertRouting.Policy("default", [Routed("ns1", "a", null, "one")]);
        AlertRouting.SamePolicy(policy, policy with { Provenance = "api" }).ShouldBeTrue();
        AlertRouting.SamePolicy(policy, policy with { Provenance = "" }).ShouldBeFalse("edited in the UI");
        AlertRouting.SamePolicy(policy, AlertRouting.Policy("default", []) with { Provenance = "api" }).ShouldBeFalse();
    }

    [Theory]
    [InlineData(ContactPointType.Slack, "slack", "url")]
    [InlineData(ContactPointType.Webhook, "webhook", "url")]
    [InlineData(ContactPointType.Email, "email", "addresses")]
    public void Contact_points_carry_the_secret_value_under_the_types_setting(ContactPointType type, string grafanaType, string setting)
    {
        var mapped = AlertRouting.ContactPoint(Stack, new ContactPoint { Name = "x", Type = type, SecretRef = new SecretKeySelector { Name = "s", Key = "k" } }, " value\n");
        mapped.Type.ShouldBe(grafanaType);
        mapped.Settings[setting]!.GetValue<string>().ShouldBe("value");
        mapped.Uid!.ShouldStartWith(AlertRouting.ContactPointPrefix(Stack));
        MetricsOperator.Alerts.AlertNames.IsValidUid(mapped.Uid).ShouldBeTrue();
        mapped.Uid.ShouldBe(AlertRouting.ContactPointUid(Stack, "x"));
    }
}

/// <summary>Which AppAlert changes wake the stack's routing: what the policy reads, never status or rules.</summary>
public sealed class RoutingChangedTests
{
    [Fact]
    public void Status_and_rule_changes_do_not_matter_to_routing_but_app_contact_point_and_stackRef_do()
    {
        var before = Alert("ns", "a");
        var statusOnly = Alert("ns", "a");
        statusOnly.Status = new AppAlertStatus { Conditions = [new V1Condition { Type = "Ready", Status = "False", Reason = "GrafanaUnavailable" }] };
        statusOnly.Spec.Rules[0].Condition!.Threshold = 1;

        AlertRouting.RoutingChanged(before, statusOnly).ShouldBeFalse();
        var app = Alert("ns", "a");
        app.Spec.App = "other";
        AlertRouting.RoutingChanged(before, app).ShouldBeTrue();
        var contactPoint = Alert("ns", "a");
        contactPoint.Spec.ContactPoint = "email-team";
        AlertRouting.RoutingChanged(before, contactPoint).ShouldBeTrue();
        var stack = Alert("ns", "a");
        stack.Spec.StackRef = new StackReference { Name = "other" };
        AlertRouting.RoutingChanged(before, stack).ShouldBeTrue();
    }
}

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
    public void The_root_goes_to_the_default_and_each_app_to_its_contact_point()
    {
        var policy = AlertRouting.Policy("slack-alerts", [
            Routed("gafaelfawr", "a", null, "email-team"),
            Routed("noteburst", "b", null, null),
            Routed("times-square", "c", null, "slack-alerts"),
        ]);
        policy.Receiver.ShouldBe("slack-alerts");
        var route = policy.Routes.ShouldHaveSingleItem();
        route.Receiver.ShouldBe("email-team");
        route.ObjectMatchers.ShouldHaveSingleItem().ShouldBe(["app", "=", "gafaelfawr"]);
    }

    [Fact]
    public void Disagreeing_appalerts_of_one_app_route_by_namespace()
    {
        var policy = AlertRouting.Policy("default", [Routed("ns1", "a", "shared", "one"), Routed("ns2", "b", "shared", "two")]);
        var app = policy.Routes.ShouldHaveSingleItem();
        app.Receiver.ShouldBe("default");
        app.Routes!.Select(r => (r.Receiver, r.ObjectMatchers![0][2])).ShouldBe([("one", "ns1"), ("two", "ns2")]);
    }

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
        statusOnly.Spec.Rules[0].Condition.Threshold = 1;

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

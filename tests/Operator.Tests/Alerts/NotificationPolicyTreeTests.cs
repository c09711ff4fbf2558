using System.Text.Json;
using k8s.Models;
using MetricsOperator.Alerts.Routing;
using MetricsOperator.Crds;
using MetricsOperator.Grafana;
using MetricsOperator.Stacks;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts;

/// <summary>
/// The stack's part of the notification policy tree, pure: the whole tree without spec.environment (as before it
/// existed), one subtree matching environment=&lt;env&gt; with it; the subtree put into a stored tree leaves the root and
/// every other route exactly as read.
/// </summary>
public sealed class NotificationPolicyTreeTests
{
    private static V1Alpha1MetricsStack Stack(string? environment, Action<GrafanaSpec>? grafana = null)
    {
        var spec = new GrafanaSpec
        {
            ContactPoints =
            [
                new ContactPoint { Name = "square-slack", Type = ContactPointType.Slack, SecretRef = new SecretKeySelector { Name = "s", Key = "slack" } },
                new ContactPoint { Name = "sqre-email", Type = ContactPointType.Email, SecretRef = new SecretKeySelector { Name = "s", Key = "email" } },
            ],
            MuteTimings = [new MuteTimingSpec { Name = "weekends", TimeIntervals = [new TimeIntervalSpec { Weekdays = ["Saturday", "sunday"] }] }],
        };
        grafana?.Invoke(spec);
        return new V1Alpha1MetricsStack
        {
            Metadata = new V1ObjectMeta { Name = "metrics", NamespaceProperty = "metrics" },
            Spec = new MetricsStackSpec { Environment = environment, Grafana = spec },
        };
    }

    private static NotificationRouteSpec TeamRoute(string contactPoint = "sqre-email") => new()
    {
        Matchers = [new LabelMatcher { Label = "team", Operator = MatchOperator.Equal, Value = "sqre" }, new LabelMatcher { Label = "severity", Operator = MatchOperator.Regex, Value = "warning|critical" }],
        ContactPoint = contactPoint,
        GroupBy = ["alertname"],
        RepeatInterval = "12h",
        MuteTimings = ["weekends"],
    };

    private static V1Alpha1AppAlert Routed(string ns, string name, string contactPoint)
    {
        var alert = Alert(ns, name);
        alert.Spec.ContactPoint = contactPoint;
        return alert;
    }

    [Fact]
    public void Without_an_environment_the_stack_owns_the_whole_tree_as_before_and_names_are_the_specs()
    {
        var stack = Stack(null);
        var owned = AlertRouting.StackPolicy(stack, "square-slack", [Routed("ns1", "a", "sqre-email")]);

        AlertRouting.SameRoute(owned, AlertRouting.Policy("square-slack", [Routed("ns1", "a", "sqre-email")])).ShouldBeTrue("the tree of a stack without routes is today's");
        owned.ObjectMatchers.ShouldBeNull();
        PolicyTree.ToWrite(new NotificationRoute { Receiver = "someone-elses", Routes = [new NotificationRoute { Receiver = "x" }] }, owned, null).ShouldBe(owned);
        AlertRouting.ContactPoint(stack, stack.Spec.Grafana!.ContactPoints![0], "https://hooks.slack.com/x").Name.ShouldBe("square-slack");
    }

    [Fact]
    public void With_an_environment_the_stack_owns_one_route_matching_it_with_every_name_carrying_the_environment()
    {
        var stack = Stack("idfdev", g => g.Routes = [TeamRoute()]);

        var owned = AlertRouting.StackPolicy(stack, "square-slack", [Routed("ns1", "a", "sqre-email")]);

        owned.ObjectMatchers.ShouldBe([["environment", "=", "idfdev"]]);
        owned.Receiver.ShouldBe("idfdev_square-slack");
        owned.Routes!.Select(r => r.Receiver).ShouldBe(["idfdev_sqre-email", "idfdev_sqre-email"], "the AppAlert's route first, then the spec's");
        var team = owned.Routes![1];
        team.ObjectMatchers.ShouldBe([["team", "=", "sqre"], ["severity", "=~", "warning|critical"]]);
        team.MuteTimeIntervals.ShouldBe(["idfdev_weekends"]);
        team.GroupBy.ShouldBe(["alertname"]);
        (team.RepeatInterval, team.Continue).ShouldBe(("12h", (bool?)null));
        NotificationNames.InGrafana(stack, "square-slack").ShouldBe("idfdev_square-slack");
        NotificationNames.ForEnvironment(null, "square-slack").ShouldBe("square-slack");
        NotificationNames.ForEnvironment("idf", "dev-slack").ShouldNotBe(NotificationNames.ForEnvironment("idf-dev", "slack"), "an environment that extends another never takes its names");
    }

    [Fact]
    public void The_subtree_replaces_only_its_own_route_and_keeps_the_root_and_every_other_route_as_read()
    {
        var stored = JsonSerializer.Deserialize<NotificationRoute>("""
            {"receiver":"grafana-default-email","group_by":["alertname"],"group_wait":"45s","provenance":"api",
             "routes":[
               {"receiver":"ops-webhook","object_matchers":[["app","=","butler"]],"active_time_intervals":["office"]},
               {"receiver":"idfdev_old","object_matchers":[["environment","=","idfdev"]]},
               {"receiver":"idfprod_slack","object_matchers":[["environment","=","idfprod"]],"routes":[{"receiver":"idfprod_email","matchers":["team=sqre"]}]}
             ]}
            """, GrafanaJson.Options)!;
        var owned = AlertRouting.StackPolicy(Stack("idfdev"), "square-slack", []);

        var written = PolicyTree.WithSubtree(stored, owned, "idfdev");

        (written.Receiver, written.GroupWait).ShouldBe(("grafana-default-email", "45s"), "the root is not the environment's");
        written.GroupBy.ShouldBe(["alertname"]);
        written.Routes!.Select(r => r.Receiver).ShouldBe(["ops-webhook", "idfdev_square-slack", "idfprod_slack"], "in place, others untouched");
        var json = JsonSerializer.Serialize(written, GrafanaJson.Options);
        json.ShouldContain("\"active_time_intervals\":[\"office\"]", Case.Sensitive, "fields the model does not name survive the write");
        json.ShouldContain("\"matchers\":[\"team=sqre\"]", Case.Sensitive);
        PolicyTree.Holds(written, owned, "idfdev").ShouldBeTrue();
        PolicyTree.Holds(stored, owned, "idfdev").ShouldBeFalse("the stored subtree routes to another receiver");
        PolicyTree.Subtree(written, "idfprod")!.Receiver.ShouldBe("idfprod_slack");
    }

    [Fact]
    public void A_missing_subtree_goes_first_and_a_duplicated_one_is_written_once()
    {
        var owned = AlertRouting.StackPolicy(Stack("idfdev"), "square-slack", []);
        var catchAll = new NotificationRoute { Receiver = "ops-webhook", ObjectMatchers = [["alertname", "=~", ".*"]] };
        PolicyTree.WithSubtree(new NotificationRoute { Receiver = "root", Routes = [catchAll] }, owned, "idfdev").Routes!.Select(r => r.Receiver)
            .ShouldBe(["idfdev_square-slack", "ops-webhook"], "a catch-all before it would keep the environment's alerts from reaching it");
        var twice = new NotificationRoute { Receiver = "root", Routes = [owned, catchAll, owned] };
        PolicyTree.WithSubtree(twice, owned, "idfdev").Routes!.Count(r => PolicyTree.IsSubtreeOf(r, "idfdev")).ShouldBe(1);
        PolicyTree.IsSubtreeOf(new NotificationRoute { ObjectMatchers = [["environment", "=", "idfdev"], ["team", "=", "x"]] }, "idfdev").ShouldBeFalse("only a route whose one matcher is the environment is the subtree");
    }

    [Fact]
    public void Durations_compare_by_value_as_Grafana_shows_them_and_a_changed_route_differs()
    {
        var desired = new NotificationRoute { Receiver = "a", GroupWait = "60s", RepeatInterval = "1d" };
        AlertRouting.SameRoute(desired, desired with { GroupWait = "1m", RepeatInterval = "24h" }).ShouldBeTrue();
        AlertRouting.SameRoute(desired, desired with { GroupWait = "2m" }).ShouldBeFalse();
        AlertRouting.SameRoute(desired, desired with { MuteTimeIntervals = ["x"] }).ShouldBeFalse();
    }

    [Fact]
    public void Contact_point_UIDs_differ_per_environment_and_are_unchanged_without_one()
    {
        var plain = Stack(null);
        AlertRouting.ContactPointPrefix(plain).ShouldBe($"cp-{MetricsOperator.Alerts.AlertNames.Hash("metrics/metrics", 8)}-", "unchanged for stacks made before spec.environment");
        AlertRouting.ContactPointPrefix(Stack("idfdev")).ShouldNotBe(AlertRouting.ContactPointPrefix(Stack("idfprod")), "two clusters' metrics/metrics stacks share one Grafana");
        AlertRouting.ContactPointPrefix(Stack("idfdev")).ShouldNotBe(AlertRouting.ContactPointPrefix(plain));
    }

    [Theory]
    [InlineData(ContactPointType.Slack, "title", "text")]
    [InlineData(ContactPointType.Email, "subject", "message")]
    [InlineData(ContactPointType.Webhook, "title", "message")]
    public void Title_and_text_go_to_the_integrations_settings_with_spec_templates_named_as_in_Grafana(ContactPointType type, string titleKey, string textKey)
    {
        var stack = Stack("idfdev", g => g.Templates =
        [
            new NotificationTemplateSpec { Name = "slack-title", Template = "[{{ .Status }}] {{ .CommonLabels.alertname }}" },
            new NotificationTemplateSpec { Name = "own", Template = "{{ define \"sqre.text\" }}{{ .CommonAnnotations.summary }}{{ end }}" },
        ]);
        var contactPoint = new ContactPoint { Name = "x", Type = type, SecretRef = new SecretKeySelector { Name = "s", Key = "k" }, Title = "{{ template \"slack-title\" . }}", Text = "{{ template \"sqre.text\" . }}" };

        var settings = AlertRouting.ContactPoint(stack, contactPoint, "value").Settings;

        ((string?)settings[titleKey]).ShouldBe("{{ template \"idfdev_slack-title\" . }}");
        ((string?)settings[textKey]).ShouldBe("{{ template \"sqre.text\" . }}", "a name the template defines itself is kept");
        NotificationContent.Templates(stack).Select(t => (t.Name, t.Template)).ShouldBe(
        [
            ("idfdev_slack-title", "{{ define \"idfdev_slack-title\" }}\n[{{ .Status }}] {{ .CommonLabels.alertname }}\n{{ end }}"),
            ("idfdev_own", "{{ define \"sqre.text\" }}{{ .CommonAnnotations.summary }}{{ end }}"),
        ]);
    }

    [Fact]
    public void Mute_timings_take_Alertmanagers_shape_and_names_carry_the_environment()
    {
        var timing = NotificationContent.MuteTimings(Stack("idfdev", g => g.MuteTimings![0].TimeIntervals[0].Times = [new TimeOfDayRange { StartTime = "00:00", EndTime = "08:00" }]))
            .ShouldHaveSingleItem();
        timing.Name.ShouldBe("idfdev_weekends");
        timing.TimeIntervals!.ToJsonString().ShouldBe("""[{"times":[{"start_time":"00:00","end_time":"08:00"}],"weekdays":["saturday","sunday"]}]""");
    }

    [Fact]
    public void Names_that_refer_to_nothing_are_refused_naming_the_field()
    {
        var stack = Stack("idfdev", g =>
        {
            g.Routes = [TeamRoute(), TeamRoute(), TeamRoute("nobody")];
            g.Routes[1].MuteTimings = ["weekends", "holidays"];
            g.Routes[0].Matchers[1].Value = "warning|(critical";
            g.ContactPoints![0].Title = "{{ template \"missing\" . }} {{ template \"slack.default.title\" . }} {{ template \"__subject\" . }}";
            g.MuteTimings![0].TimeIntervals[0].Times = [new TimeOfDayRange { StartTime = "18:00", EndTime = "08:00" }];
        });

        var errors = StackValidation.Validate(DefaultedStack.Of(stack)).Select(e => e.ToString()).ToList();

        errors.ShouldContain("spec.grafana.routes[2].contactPoint: \"nobody\" is not the name of one of spec.grafana.contactPoints");
        errors.ShouldContain("spec.grafana.routes[1].muteTimings[1]: \"holidays\" is not the name of one of spec.grafana.muteTimings");
        errors.ShouldContain(e => e.StartsWith("spec.grafana.routes[0].matchers[1].value: not a regular expression", StringComparison.Ordinal));
        errors.ShouldContain("spec.grafana.contactPoints[0].title: template \"missing\" is neither one of spec.grafana.templates nor defined by them");
        errors.ShouldContain("spec.grafana.muteTimings[0].timeIntervals[0].times[0].endTime: 08:00 is not after startTime 18:00");
        errors.Count.ShouldBe(5, string.Join("\n", errors));
        StackValidation.Validate(DefaultedStack.Of(Stack("idfdev", g => g.Routes = [TeamRoute()]))).ShouldBeEmpty();
    }
}

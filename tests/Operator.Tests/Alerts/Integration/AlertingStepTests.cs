using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using MetricsOperator.Alerts.Routing;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Integration;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// The MetricsStack's alerting step (AlertingReady) through the whole operator on the real API server, against the
/// Grafana fake: the stack's contact points are made from their Secrets, the notification policy routes each app to
/// its AppAlert's contact point and follows AppAlert changes through the AppAlert watch, an unchanged stack writes
/// nothing, and a contact point taken out of the spec is deleted from Grafana once no route names it.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class AlertingStepTests(ApiServerFixture fixture) : IAsyncLifetime
{
    private const string ContactPointSecret = "contact-points";
    private readonly string slackUrl = $"https://hooks.slack.com/services/T000/B000/{Guid.NewGuid():N}";
    private OperatorWithFakes op = null!;

    public async Task InitializeAsync() => op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        op.Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task Contact_points_and_the_notification_policy_follow_the_stack_and_its_AppAlerts()
    {
        await op.CreateSecretAsync(ContactPointSecret, new() { ["slack"] = slackUrl, ["email"] = "square-alerts@lsst.org" });
        var created = await op.CreateStackWithSpecAsync(new { grafana = new { contactPoints = new[] { ContactPoint("square-slack", "slack"), ContactPoint("square-email", "email") } } });
        var prefix = AlertRouting.ContactPointPrefix(created);

        await WaitForAlertingAsync("Synced", "the stack's contact points are in Grafana");
        var ours = OursInGrafana(prefix);
        ours.Select(c => (string?)c["name"]).Order().ShouldBe(["square-email", "square-slack"]);
        ((string?)ours.Single(c => (string?)c["name"] == "square-slack")["settings"]!["url"]).ShouldBe(slackUrl, "the webhook comes from the Secret");
        ((string?)op.Grafana.State.PolicyTree["receiver"]).ShouldBe("square-slack", "the first contact point is the default");
        Routes().ShouldBeEmpty();

        // An app asks for another contact point: the AppAlert watch wakes the stack, the policy routes the app there.
        await CreateAppAlertAsync("butler", "square-email");
        await Eventually.UntilAsync(() => Task.FromResult<List<JsonObject>?>(Routes()), r => r!.Any(route => RoutesApp(route, "butler", "square-email")), "butler is routed to square-email");

        // Nothing changed (once the AppAlert controller has synced butler's rules): another reconcile writes nothing.
        await Eventually.UntilAsync(() => op.Admin.GetAsync<V1Alpha1AppAlert>(op.Namespace, "butler"),
            a => a?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == ConditionSet.True) == true, "butler's rules are synced");
        var writes = op.Grafana.Requests.Writes;
        await op.ReconcileAgainAsync();
        op.Grafana.Requests.Writes.ShouldBe(writes, $"an unchanged stack writes nothing to Grafana: {string.Join(", ", op.Grafana.Requests.Snapshot().Where(r => !r.Key.StartsWith("GET", StringComparison.Ordinal)))}");

        // The app goes back to the default and square-email leaves the spec: the route goes, then the contact point.
        await op.Admin.DeleteAsync<V1Alpha1AppAlert>(op.Namespace, "butler");
        await op.Admin.PatchAsync<V1Alpha1MetricsStack>(op.Namespace, OperatorWithFakes.Name, MetricsOperator.Runtime.Client.PatchType.Merge,
            JsonSerializer.Serialize(new { spec = new { grafana = new { contactPoints = new[] { ContactPoint("square-slack", "slack") } } } }));
        await Eventually.UntilAsync(() => Task.FromResult<List<JsonObject>?>(OursInGrafana(prefix)), c => c!.Count == 1, "square-email is deleted from Grafana");
        Routes().ShouldBeEmpty();
        await Eventually.UntilAsync(op.GetStackAsync, st => OperatorWithFakes.Condition(st, MetricsStackConditions.AlertingReady) is { Reason: "Synced" } c && c.Message.StartsWith("1 contact points", StringComparison.Ordinal),
            "AlertingReady reports the smaller spec synced");
        await op.AssertNoSecretLeakedAsync("MetricsStack", slackUrl);
    }

    [Fact]
    public async Task Only_an_AppAlert_naming_a_contact_point_wakes_the_stack_also_when_it_stops_naming_one()
    {
        await op.CreateSecretAsync(ContactPointSecret, new() { ["slack"] = slackUrl, ["email"] = "square-alerts@lsst.org" });
        await op.CreateStackWithSpecAsync(new { grafana = new { contactPoints = new[] { ContactPoint("square-slack", "slack"), ContactPoint("square-email", "email") } } });
        await WaitForAlertingAsync("Synced", "the stack's contact points are in Grafana");

        // Not in the policy: its create, its status writes and its sync reconcile no stack. (The stack's own status
        // write after AlertingReady may still queue a reconcile: counted from when the stack has been quiet for a second.)
        var reconciles = await StackReconciles.QuietCountAsync(op.Manager);
        var quiet = AlertSamples.ForApiServer(AlertSamples.Alert(op.Namespace, "quiet"));
        await op.Admin.CreateAsync(quiet);
        await Eventually.UntilAsync(() => op.Admin.GetAsync<V1Alpha1AppAlert>(op.Namespace, "quiet"),
            a => a?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == ConditionSet.True) == true, "quiet's rules are synced");
        StackReconciles.Count(op.Manager).ShouldBe(reconciles, "an AppAlert using the default contact point is not in the policy");

        // Naming a contact point wakes the stack (a route appears); naming none again wakes it from the old object (the route goes).
        await op.Admin.PatchAsync<V1Alpha1AppAlert>(op.Namespace, "quiet", MetricsOperator.Runtime.Client.PatchType.Merge, """{"spec":{"contactPoint":"square-email"}}""");
        await Eventually.UntilAsync(() => Task.FromResult<List<JsonObject>?>(Routes()), r => r!.Any(route => RoutesApp(route, "quiet", "square-email")), "quiet is routed to square-email");
        await op.Admin.PatchAsync<V1Alpha1AppAlert>(op.Namespace, "quiet", MetricsOperator.Runtime.Client.PatchType.Merge, """{"spec":{"contactPoint":null}}""");
        await Eventually.UntilAsync(() => Task.FromResult<List<JsonObject>?>(Routes()), r => r!.Count == 0, "quiet's route is gone");
    }

    [Fact]
    public async Task A_contact_point_whose_Secret_lacks_the_key_stops_the_stack_naming_the_field_and_the_key()
    {
        await op.CreateSecretAsync(ContactPointSecret, new() { ["email"] = "square-alerts@lsst.org" });
        await op.CreateStackWithSpecAsync(new { grafana = new { contactPoints = new[] { ContactPoint("square-slack", "slack") } } });

        var stack = await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Reason == "InvalidSpec", "Ready=False InvalidSpec");

        var ready = OperatorWithFakes.Condition(stack, MetricsStackConditions.Ready)!;
        ready.Status.ShouldBe(ConditionSet.False);
        ready.Message.ShouldContain("spec.grafana.contactPoints[0].secretRef");
        ready.Message.ShouldContain("has no key \"slack\"");
        op.Grafana.State.ContactPoints.ShouldNotContain(c => (string?)c["name"] == "square-slack", "nothing reaches Grafana from an invalid spec");
    }

    [Fact]
    public async Task With_an_environment_the_stack_writes_its_subtree_templates_and_mute_timings_and_leaves_the_rest_of_Grafana_alone()
    {
        await op.CreateSecretAsync(ContactPointSecret, new() { ["slack"] = slackUrl, ["email"] = "square-alerts@lsst.org" });
        var seededRoot = (string?)op.Grafana.State.PolicyTree["receiver"];
        var seededRoutes = Routes().Select(r => r.ToJsonString()).ToList();
        using (var person = OperatorWithFakes.GrafanaApi(op.Grafana))
        {
            // A template someone else keeps in this Grafana: never the operator's to delete.
            await person.SendAsync(HttpMethod.Put, "api/v1/provisioning/templates/someone-else", new JsonObject { ["template"] = "{{ define \"theirs\" }}x{{ end }}" }, true, CancellationToken.None);
        }

        var slack = new { name = "square-slack", type = "slack", secretRef = new { name = ContactPointSecret, key = "slack" }, title = "{{ template \"slack-title\" . }}", text = "{{ template \"slack-text\" . }}" };
        var created = await op.CreateStackWithSpecAsync(new
        {
            environment = "idfdev",
            grafana = new
            {
                contactPoints = new object[] { slack, ContactPoint("square-email", "email") },
                routes = new[] { new { matchers = new[] { new { label = "team", @operator = "=", value = "sqre" } }, contactPoint = "square-email", muteTimings = new[] { "weekends" }, repeatInterval = "12h" } },
                templates = new[] { new { name = "slack-title", template = "[{{ .Status }}] {{ .CommonLabels.alertname }}" }, new { name = "slack-text", template = "{{ .CommonAnnotations.summary }}" } },
                muteTimings = new[] { new { name = "weekends", timeIntervals = new[] { new { weekdays = new[] { "saturday", "sunday" } } } } },
            },
        });
        await CreateAppAlertAsync("butler", "square-email");

        await Eventually.UntilAsync(() => Task.FromResult<JsonObject?>(EnvironmentSubtree("idfdev")), s => s?["routes"] is JsonArray { Count: 2 }, "the subtree holds butler's route and the team route");
        ((string?)op.Grafana.State.PolicyTree["receiver"]).ShouldBe(seededRoot, "the root is not the environment's");
        Routes().Select(r => r.ToJsonString()).Where(r => r != EnvironmentSubtree("idfdev")!.ToJsonString()).ShouldBe(seededRoutes, "every other route is kept as it was");
        var subtree = EnvironmentSubtree("idfdev")!;
        ((string?)subtree["receiver"]).ShouldBe("idfdev_square-slack");
        var routes = (subtree["routes"] as JsonArray)!.OfType<JsonObject>().ToList();
        RoutesApp(routes[0], "butler", "idfdev_square-email").ShouldBeTrue(routes[0].ToJsonString());
        routes[1].ToJsonString().ShouldBe("""{"receiver":"idfdev_square-email","object_matchers":[["team","=","sqre"]],"repeat_interval":"12h","mute_time_intervals":["idfdev_weekends"]}""");
        op.Grafana.State.Templates.Keys.Order().ShouldBe(["idfdev_slack-text", "idfdev_slack-title", "someone-else"]);
        op.Grafana.State.MuteTimings.Keys.ShouldBe(["idfdev_weekends"]);
        var slackPoint = OursInGrafana(AlertRouting.ContactPointPrefix(created)).Single(c => (string?)c["name"] == "idfdev_square-slack");
        ((string?)slackPoint["settings"]!["title"]).ShouldBe("{{ template \"idfdev_slack-title\" . }}");
        var stack = await Eventually.UntilAsync(op.GetStackAsync, st => st?.Status?.Alerting?.Templates?.Count == 2, "status records the templates written");
        stack!.Status!.Alerting!.MuteTimings.ShouldBe(["idfdev_weekends"]);

        await Eventually.UntilAsync(() => op.Admin.GetAsync<V1Alpha1AppAlert>(op.Namespace, "butler"),
            a => a?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == ConditionSet.True) == true, "butler's rules are synced");
        var writes = op.Grafana.Requests.Writes;
        await op.ReconcileAgainAsync();
        op.Grafana.Requests.Writes.ShouldBe(writes, "an unchanged stack writes nothing, templates and mute timings included");

        // The route, the mute timing and one template leave the spec: they leave Grafana, after the route that named the timing.
        await op.Admin.PatchAsync<V1Alpha1MetricsStack>(op.Namespace, OperatorWithFakes.Name, MetricsOperator.Runtime.Client.PatchType.Merge,
            JsonSerializer.Serialize(new
            {
                spec = new
                {
                    grafana = new
                    {
                        contactPoints = new object[] { new { slack.name, slack.type, slack.secretRef, slack.title }, ContactPoint("square-email", "email") },
                        routes = (object?)null,
                        muteTimings = (object?)null,
                        templates = new[] { new { name = "slack-title", template = "[{{ .Status }}] {{ .CommonLabels.alertname }}" } },
                    },
                },
            }));
        await Eventually.UntilAsync(() => Task.FromResult<IReadOnlyCollection<string>?>(op.Grafana.State.MuteTimings.Keys.ToList()), k => k!.Count == 0, "the mute timing is deleted");
        await Eventually.UntilAsync(() => Task.FromResult<IReadOnlyCollection<string>?>(op.Grafana.State.Templates.Keys.ToList()), k => k!.Order().SequenceEqual(["idfdev_slack-title", "someone-else"]), "only the operator's dropped template is deleted");
        (EnvironmentSubtree("idfdev")!["routes"] as JsonArray)!.Count.ShouldBe(1, "only butler's route is left");
        op.Grafana.State.Templates["someone-else"].Content.ShouldContain("theirs");
        await op.AssertNoSecretLeakedAsync("MetricsStack", slackUrl);
    }

    [Fact]
    public async Task A_route_to_a_contact_point_the_stack_does_not_declare_is_refused_naming_the_field()
    {
        await op.CreateSecretAsync(ContactPointSecret, new() { ["slack"] = slackUrl });
        var before = op.Grafana.State.PolicyTree.ToJsonString();
        await op.CreateStackWithSpecAsync(new
        {
            environment = "idfdev",
            grafana = new
            {
                contactPoints = new[] { ContactPoint("square-slack", "slack") },
                routes = new[] { new { matchers = new[] { new { label = "team", @operator = "=", value = "sqre" } }, contactPoint = "square-email" } },
            },
        });

        var stack = await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Reason == "InvalidSpec", "Ready=False InvalidSpec");

        OperatorWithFakes.Condition(stack, MetricsStackConditions.Ready)!.Message.ShouldContain("spec.grafana.routes[0].contactPoint: \"square-email\" is not the name of one of spec.grafana.contactPoints");
        op.Grafana.State.PolicyTree.ToJsonString().ShouldBe(before, "nothing reaches Grafana from an invalid spec");
    }

    private JsonObject? EnvironmentSubtree(string environment) =>
        Routes().SingleOrDefault(r => r["object_matchers"]?.ToJsonString() == $"[[\"environment\",\"=\",\"{environment}\"]]");

    private static object ContactPoint(string name, string type) => new { name, type, secretRef = new { name = ContactPointSecret, key = type } };

    private List<JsonObject> OursInGrafana(string prefix) =>
        [.. op.Grafana.State.ContactPoints.Where(c => ((string?)c["uid"])?.StartsWith(prefix, StringComparison.Ordinal) == true)];

    private List<JsonObject> Routes() => [.. (op.Grafana.State.PolicyTree["routes"] as JsonArray ?? []).OfType<JsonObject>()];

    // The AppAlert named like its app routes to receiver: its route matches its own namespace and name.
    private bool RoutesApp(JsonObject route, string appAlert, string receiver) =>
        (string?)route["receiver"] == receiver
        && (route["object_matchers"] as JsonArray ?? []).OfType<JsonArray>().Select(m => string.Join(' ', m.Select(v => (string?)v)))
            .OrderBy(m => m, StringComparer.Ordinal).SequenceEqual([$"appalert = {appAlert}", $"namespace = {op.Namespace}"]);

    private async Task<k8s.Models.V1Condition> WaitForAlertingAsync(string reason, string what) =>
        (await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.AlertingReady)?.Reason == reason, what))!
            .Status.Conditions!.Single(c => c.Type == MetricsStackConditions.AlertingReady);

    private Task<V1Alpha1AppAlert?> CreateAppAlertAsync(string app, string contactPoint)
    {
        var alert = AlertSamples.ForApiServer(AlertSamples.Alert(op.Namespace, app));
        alert.Spec.App = app;
        alert.Spec.ContactPoint = contactPoint;
        return op.Admin.CreateAsync(alert);
    }
}

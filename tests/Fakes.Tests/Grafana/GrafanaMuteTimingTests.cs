using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Tests.Grafana;

/// <summary>Mute timings, notification templates and rules' notification settings behave as in Grafana 11.4's provisioning API.</summary>
public sealed class GrafanaMuteTimingTests : GrafanaTestBase
{
    private static JsonObject Weekends(string name = "weekends") => new()
    {
        ["name"] = name,
        ["time_intervals"] = new JsonArray(new JsonObject
        {
            ["weekdays"] = new JsonArray("saturday", "sunday"),
            ["times"] = new JsonArray(new JsonObject { ["start_time"] = "00:00", ["end_time"] = "24:00" }),
            ["location"] = "UTC",
        }),
    };

    [Fact]
    public async Task A_mute_timing_is_created_read_replaced_and_deleted_with_its_provenance()
    {
        var created = await Http.PostAsJsonAsync("/api/v1/provisioning/mute-timings", Weekends());
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        body["provenance"]!.GetValue<string>().ShouldBe("api");
        body["version"]!.GetValue<string>().ShouldNotBeNullOrEmpty();

        using (var editable = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provisioning/mute-timings") { Content = JsonContent.Create(Weekends("nights")) })
        {
            editable.Headers.Add("X-Disable-Provenance", "true");
            (await Http.SendAsync(editable)).StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var list = (await Http.GetFromJsonAsync<JsonArray>("/api/v1/provisioning/mute-timings"))!;
        list.Select(m => m!["name"]!.GetValue<string>()).ShouldBe(["nights", "weekends"], "sorted by name");
        list[0]!.AsObject().ContainsKey("provenance").ShouldBeFalse("no provenance is omitted, as Grafana does");

        var taken = await Http.PostAsJsonAsync("/api/v1/provisioning/mute-timings", Weekends());
        taken.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await taken.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>()
            .ShouldBe("Time interval with this name already exists. Use a different name or update existing one.");

        var changed = Weekends();
        changed["time_intervals"]![0]!["weekdays"] = new JsonArray("saturday");
        (await Http.PutAsJsonAsync("/api/v1/provisioning/mute-timings/weekends", changed)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var read = (await Http.GetFromJsonAsync<JsonObject>("/api/v1/provisioning/mute-timings/weekends"))!;
        read["time_intervals"]![0]!["weekdays"]!.AsArray().Count.ShouldBe(1);
        read["version"]!.GetValue<string>().ShouldNotBe(body["version"]!.GetValue<string>());

        (await Http.PutAsJsonAsync("/api/v1/provisioning/mute-timings/holidays", Weekends("holidays"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Http.GetAsync("/api/v1/provisioning/mute-timings/holidays")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Http.DeleteAsync("/api/v1/provisioning/mute-timings/weekends")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await Http.DeleteAsync("/api/v1/provisioning/mute-timings/weekends")).StatusCode.ShouldBe(HttpStatusCode.NoContent, "deleting one that is not there is no error");
        Grafana.State.MuteTimings.Keys.ShouldBe(["nights"]);
        Grafana.Contract.AssertNoContractViolations();
    }

    [Theory]
    [InlineData("start_time", "9:00")]
    [InlineData("end_time", "25:00")]
    [InlineData("weekdays", "someday")]
    [InlineData("name", "")]
    public async Task A_malformed_mute_timing_is_refused_as_invalid(string field, string value)
    {
        var timing = Weekends();
        switch (field)
        {
            case "name":
                timing["name"] = value;
                break;
            case "weekdays":
                timing["time_intervals"]![0]!["weekdays"] = new JsonArray(value);
                break;
            default:
                timing["time_intervals"]![0]!["times"]![0]![field] = value;
                break;
        }

        var response = await Http.PostAsJsonAsync("/api/v1/provisioning/mute-timings", timing);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        error["message"]!.GetValue<string>().ShouldBe("Time interval is in invalid format. Correct the payload and try again.");
        error["messageId"]!.GetValue<string>().ShouldBe("alerting.notifications.time-intervals.invalidFormat");
        Grafana.State.MuteTimings.ShouldBeEmpty();
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_route_naming_a_mute_timing_that_does_not_exist_is_refused_and_one_in_use_cannot_be_deleted()
    {
        var tree = new JsonObject
        {
            ["receiver"] = "grafana-default-email",
            ["routes"] = new JsonArray(new JsonObject
            {
                ["receiver"] = "grafana-default-email",
                ["routes"] = new JsonArray(new JsonObject { ["receiver"] = "grafana-default-email", ["mute_time_intervals"] = new JsonArray("weekends") }),
            }),
        };

        var refused = await Http.PutAsJsonAsync("/api/v1/provisioning/policies", tree);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        error["message"]!.GetValue<string>().ShouldBe("Invalid format of the submitted route: mute time interval 'weekends' does not exist. Correct the payload and try again.");
        error["messageId"]!.GetValue<string>().ShouldBe("alerting.notifications.routes.invalidFormat");
        Grafana.State.PolicyTree.ContainsKey("routes").ShouldBeFalse("nothing changed");

        (await Http.PostAsJsonAsync("/api/v1/provisioning/mute-timings", Weekends())).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await Http.PutAsJsonAsync("/api/v1/provisioning/policies", tree)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        var inUse = await Http.DeleteAsync("/api/v1/provisioning/mute-timings/weekends");
        inUse.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var conflict = (await inUse.Content.ReadFromJsonAsync<JsonObject>())!;
        conflict["messageId"]!.GetValue<string>().ShouldBe("alerting.notifications.time-intervals.used");
        conflict["extra"]!["UsedByRoutes"]!.GetValue<bool>().ShouldBeTrue();
        Grafana.State.MuteTimings.Keys.ShouldBe(["weekends"]);
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_template_put_creates_or_replaces_and_content_without_a_define_is_wrapped_in_one()
    {
        var created = await Http.PutAsJsonAsync("/api/v1/provisioning/templates/ops-summary", new JsonObject { ["template"] = "  {{ .CommonLabels.alertname }} fired\n" });
        created.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        body["template"]!.GetValue<string>().ShouldBe("{{ define \"ops-summary\" }}\n{{ .CommonLabels.alertname }} fired\n{{ end }}");
        body["provenance"]!.GetValue<string>().ShouldBe("api");

        using (var editable = new HttpRequestMessage(HttpMethod.Put, "/api/v1/provisioning/templates/ops-summary")
        {
            Content = JsonContent.Create(new JsonObject { ["template"] = body["template"]!.GetValue<string>(), ["version"] = body["version"]!.GetValue<string>() }),
        })
        {
            editable.Headers.Add("X-Disable-Provenance", "true");
            (await Http.SendAsync(editable)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        var read = (await Http.GetFromJsonAsync<JsonObject>("/api/v1/provisioning/templates/ops-summary"))!;
        read["template"]!.GetValue<string>().ShouldBe(body["template"]!.GetValue<string>(), "content with a define is kept as it is");
        read.ContainsKey("provenance").ShouldBeFalse();
        (await Http.GetFromJsonAsync<JsonArray>("/api/v1/provisioning/templates"))!.Count.ShouldBe(1);

        var stale = await Http.PutAsJsonAsync("/api/v1/provisioning/templates/ops-summary", new JsonObject { ["template"] = "x", ["version"] = "0000000000000000" });
        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var unknownVersion = await Http.PutAsJsonAsync("/api/v1/provisioning/templates/other", new JsonObject { ["template"] = "x", ["version"] = "0000000000000000" });
        unknownVersion.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var invalid = await Http.PutAsJsonAsync("/api/v1/provisioning/templates/broken", new JsonObject { ["template"] = "{{ .Status " });
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await invalid.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>().ShouldBe("Template is in invalid format. Correct the payload and try again.");
        (await Http.GetAsync("/api/v1/provisioning/templates/broken")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await Http.DeleteAsync("/api/v1/provisioning/templates/ops-summary")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await Http.DeleteAsync("/api/v1/provisioning/templates/ops-summary")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        Grafana.State.Templates.ShouldBeEmpty();
        Grafana.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task A_rule_notifying_a_receiver_or_mute_timing_that_does_not_exist_is_refused_and_what_it_uses_cannot_be_deleted()
    {
        await CreateFolderAsync();
        var rule = Rule("butler-paused", "Butler paused");
        rule["isPaused"] = true;
        rule["notification_settings"] = new JsonObject
        {
            ["receiver"] = "ops-email",
            ["group_by"] = new JsonArray("alertname", "grafana_folder", "app"),
            ["mute_time_intervals"] = new JsonArray("weekends"),
        };

        var refused = await Http.PostAsJsonAsync("/api/v1/provisioning/alert-rules", rule);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>()
            .ShouldBe("invalid alert rule\nreceiver 'ops-email' does not exist\nmute time interval 'weekends' does not exist");
        var newInGroup = (JsonObject)rule.DeepClone();
        newInGroup.Remove("uid");
        var inGroup = await PutGroupAsync(60, newInGroup);
        inGroup.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a group PUT checks the same");
        Grafana.State.RuleCount.ShouldBe(0);

        var groupBy = (JsonObject)rule.DeepClone();
        groupBy["notification_settings"]!["group_by"] = new JsonArray("app");
        (await Http.PostAsJsonAsync("/api/v1/provisioning/alert-rules", groupBy)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        (await Http.PostAsJsonAsync("/api/v1/provisioning/contact-points", new JsonObject
        {
            ["uid"] = "ops-email", ["name"] = "ops-email", ["type"] = "email", ["settings"] = new JsonObject { ["addresses"] = "ops@example.org" },
        })).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await Http.PostAsJsonAsync("/api/v1/provisioning/mute-timings", Weekends())).StatusCode.ShouldBe(HttpStatusCode.Created);
        var created = await PostRuleAsync(rule);
        created["isPaused"]!.GetValue<bool>().ShouldBeTrue();
        created["notification_settings"]!["mute_time_intervals"]![0]!.GetValue<string>().ShouldBe("weekends");

        var timingInUse = await Http.DeleteAsync("/api/v1/provisioning/mute-timings/weekends");
        timingInUse.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await timingInUse.Content.ReadFromJsonAsync<JsonObject>())!["extra"]!["UsedByRules"]![0]!.GetValue<string>().ShouldBe("butler-paused");
        var receiverInUse = await Http.DeleteAsync("/api/v1/provisioning/contact-points/ops-email");
        receiverInUse.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await receiverInUse.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>()
            .ShouldBe("Contact point is currently used in the notification settings of one or many alert rules.");
        Grafana.Contract.AssertNoContractViolations();
    }
}

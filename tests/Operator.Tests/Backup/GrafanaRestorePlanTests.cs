using System.Text.Json.Nodes;
using MetricsOperator.Backup.Grafana;

namespace MetricsOperator.Tests.Backup;

/// <summary>The restore plan, as a pure function: what it writes, in which order, where secrets come from, and what it refuses.</summary>
public sealed class GrafanaRestorePlanTests
{
    [Fact]
    public void A_contact_points_recorded_secret_ref_is_not_a_difference_but_its_settings_are()
    {
        JsonObject Slack(string channel, string? secretRef)
        {
            var contactPoint = new JsonObject
            {
                ["uid"] = "cp1", ["name"] = "idfdev_slack", ["type"] = "slack",
                ["settings"] = new JsonObject { ["recipient"] = channel }, ["secureFieldsLeftOut"] = new JsonArray("url"),
            };
            if (secretRef is not null)
            {
                contactPoint["secretRef"] = secretRef;
            }

            return contactPoint;
        }

        var snapshot = new Dictionary<string, JsonNode> { ["contact-points/cp1.json"] = Slack("#alerts", "contact-points/slack") };

        GrafanaRestorePlan.Build(snapshot, new Dictionary<string, JsonNode> { ["contact-points/cp1.json"] = Slack("#alerts", null) }).Steps
            .ShouldBeEmpty("the target's export never holds secretRef: only the snapshot records it");
        GrafanaRestorePlan.Build(snapshot, new Dictionary<string, JsonNode> { ["contact-points/cp1.json"] = Slack("#other", null) }).Steps
            .ShouldHaveSingleItem().Action.ShouldBe(RestoreAction.Replace);
    }

    [Fact]
    public void Every_reference_that_would_not_exist_is_a_problem_named_by_file()
    {
        var snapshot = new Dictionary<string, JsonNode>
        {
            ["notification-policies.json"] = new JsonObject
            {
                ["receiver"] = "ops-email",
                ["routes"] = new JsonArray(new JsonObject { ["receiver"] = "ops-pager", ["mute_time_intervals"] = new JsonArray("weekends") }),
            },
            ["contact-points/ops-email.json"] = new JsonObject { ["uid"] = "ops-email", ["name"] = "ops-email", ["type"] = "email" },
            ["folders/child.json"] = new JsonObject { ["uid"] = "child", ["parentUid"] = "gone" },
            ["alert-rules/app/g.json"] = new JsonObject
            {
                ["folderUid"] = "app", ["title"] = "g",
                ["rules"] = new JsonArray(new JsonObject
                {
                    ["title"] = "slow",
                    ["data"] = new JsonArray(new JsonObject { ["datasourceUid"] = "influx" }, new JsonObject { ["datasourceUid"] = "__expr__" }),
                    ["notification_settings"] = new JsonObject { ["receiver"] = "ops-slack", ["mute_time_intervals"] = new JsonArray("maintenance") },
                }),
            },
        };

        var plan = GrafanaRestorePlan.Build(snapshot, new Dictionary<string, JsonNode>());

        plan.Problems.ShouldBe(
        [
            "alert-rules/app/g.json: its folder \"app\" is in neither Grafana nor the snapshot",
            "alert-rules/app/g.json: rule \"slow\" queries datasource \"influx\", which neither Grafana nor the snapshot has",
            "alert-rules/app/g.json: rule \"slow\" notifies contact point \"ops-slack\", which neither Grafana nor the snapshot has",
            "alert-rules/app/g.json: rule \"slow\" mutes with \"maintenance\", a mute timing neither Grafana nor the snapshot has (this Grafana may not serve mute timings)",
            "folders/child.json: its parent folder \"gone\" is in neither Grafana nor the snapshot",
            "notification-policies.json: the policy tree routes to contact point \"ops-pager\", which neither Grafana nor the snapshot has",
            "notification-policies.json: a route mutes with \"weekends\", a mute timing neither Grafana nor the snapshot has (this Grafana may not serve mute timings)",
        ]);

        // What the target already has counts.
        var target = new Dictionary<string, JsonNode>
        {
            ["folders/app.json"] = new JsonObject { ["uid"] = "app" },
            ["folders/gone.json"] = new JsonObject { ["uid"] = "gone" },
            ["datasources/influx.json"] = new JsonObject { ["uid"] = "influx" },
            ["contact-points/p.json"] = new JsonObject { ["uid"] = "p", ["name"] = "ops-pager" },
            ["contact-points/s.json"] = new JsonObject { ["uid"] = "s", ["name"] = "ops-slack" },
            ["mute-timings/weekends.json"] = new JsonObject { ["name"] = "weekends" },
            ["mute-timings/maintenance.json"] = new JsonObject { ["name"] = "maintenance" },
        };
        GrafanaRestorePlan.Build(snapshot, target).Problems.ShouldBeEmpty();
    }

    [Fact]
    public void A_left_out_secret_comes_from_what_is_offered_else_a_created_object_gets_a_placeholder_and_an_existing_one_keeps_its_own()
    {
        var slack = new JsonObject { ["uid"] = "ops-slack", ["name"] = "ops-slack", ["type"] = "slack", ["secureFieldsLeftOut"] = new JsonArray("url") };
        var snapshot = new Dictionary<string, JsonNode> { ["contact-points/ops-slack.json"] = slack };

        var created = GrafanaRestorePlan.Build(snapshot, new Dictionary<string, JsonNode>());
        created.Steps.ShouldHaveSingleItem().Action.ShouldBe(RestoreAction.Create);
        created.Secrets.ShouldHaveSingleItem().IsPlaceholder.ShouldBeTrue();

        var offered = new RestoreSecrets().With("ops-slack", "url", "https://hooks.slack.example/T/B/X", "file /run/slack");
        GrafanaRestorePlan.Build(snapshot, new Dictionary<string, JsonNode>(), offered).Secrets.ShouldHaveSingleItem().Source.ShouldBe("file /run/slack");

        // Present and equal but for the secret, which cannot be compared: nothing to do, unless a value is offered.
        var existing = new Dictionary<string, JsonNode> { ["contact-points/ops-slack.json"] = slack.DeepClone() };
        GrafanaRestorePlan.Build(snapshot, existing).Steps.ShouldBeEmpty();
        var replaced = GrafanaRestorePlan.Build(snapshot, existing, offered);
        replaced.Steps.ShouldHaveSingleItem().Action.ShouldBe(RestoreAction.Replace);
        replaced.Secrets.ShouldHaveSingleItem().IsPlaceholder.ShouldBeFalse();
    }

    [Fact]
    public void A_target_contact_point_the_snapshot_holds_by_name_under_another_uid_is_removed_after_the_contact_points_are_written()
    {
        var snapshot = new Dictionary<string, JsonNode>
        {
            ["contact-points/abc.json"] = new JsonObject { ["uid"] = "abc", ["name"] = "grafana-default-email", ["type"] = "email" },
            ["notification-policies.json"] = new JsonObject { ["receiver"] = "grafana-default-email" },
            ["templates/t.json"] = new JsonObject { ["name"] = "t" },
        };
        var target = new Dictionary<string, JsonNode>
        {
            ["contact-points/xyz.json"] = new JsonObject { ["uid"] = "xyz", ["name"] = "grafana-default-email", ["type"] = "email" },
            ["contact-points/other.json"] = new JsonObject { ["uid"] = "other", ["name"] = "someone-elses", ["type"] = "email" },
        };

        var plan = GrafanaRestorePlan.Build(snapshot, target);

        plan.Steps.Select(s => (s.Action, s.Uid)).ShouldBe(
        [
            (RestoreAction.Create, "abc"), (RestoreAction.RemoveDuplicate, "xyz"), (RestoreAction.Create, "t"), (RestoreAction.Create, "policy tree"),
        ]);
    }

    [Fact]
    public void A_provisioned_datasource_is_left_to_Grafanas_provisioning()
    {
        var snapshot = new Dictionary<string, JsonNode> { ["datasources/influxdb-flux.json"] = new JsonObject { ["uid"] = "influxdb-flux", ["url"] = "http://old:8086", ["secureFieldsLeftOut"] = new JsonArray("token") } };
        var provisioned = new Dictionary<string, JsonNode> { ["datasources/influxdb-flux.json"] = new JsonObject { ["uid"] = "influxdb-flux", ["url"] = "http://new:8086", ["readOnly"] = true } };
        var offered = new RestoreSecrets().With("influxdb-flux", "token", "t", "Secret m/metrics-grafana-token/token");

        GrafanaRestorePlan.Build(snapshot, provisioned, offered).Steps.ShouldBeEmpty("Grafana refuses API writes to a provisioned datasource");
        var editable = new Dictionary<string, JsonNode> { ["datasources/influxdb-flux.json"] = new JsonObject { ["uid"] = "influxdb-flux", ["url"] = "http://new:8086" } };
        GrafanaRestorePlan.Build(snapshot, editable, offered).Steps.ShouldHaveSingleItem().Action.ShouldBe(RestoreAction.Replace);
    }
}

using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;

namespace MetricsOperator.Tests.Alerts;

/// <summary>What gates an AppAlert's sync: the stack's existence and GrafanaReady, not its overall Ready (pure).</summary>
public sealed class StackGateTests
{
    private static V1Alpha1MetricsStack Stack(params (string Type, string Status)[] conditions) => new()
    {
        Metadata = new V1ObjectMeta { Name = "metrics", NamespaceProperty = "metrics", Generation = 1 },
        Status = new MetricsStackStatus
        {
            Conditions = [.. conditions.Select(c => new V1Condition { Type = c.Type, Status = c.Status, Reason = c.Status == "True" ? "Available" : "Progressing", Message = $"{c.Type} says so" })],
        },
    };

    [Fact]
    public void GrafanaReady_opens_the_gate_whatever_InfluxDB_backups_and_Ready_say()
    {
        var stack = Stack(("Ready", "False"), ("InfluxDBReady", "False"), ("BackupReady", "False"), ("AlertingReady", "False"), ("GrafanaReady", "True"));

        StackResolution.Gate(stack).ShouldBeNull();
    }

    [Fact]
    public void GrafanaReady_False_is_GrafanaUnavailable_with_the_stacks_reason()
    {
        var gate = StackResolution.Gate(Stack(("Ready", "True"), ("GrafanaReady", "False"))).ShouldNotBeNull();

        gate.Reason.ShouldBe(AppAlertReasons.GrafanaUnavailable);
        gate.Message.ShouldBe("MetricsStack metrics/metrics: GrafanaReady is False (Progressing: GrafanaReady says so)");
    }

    [Fact]
    public void A_GrafanaReady_of_an_older_generation_is_StackNotReady_with_the_stacks_Ready_reason()
    {
        // The stack's generation 2 could not be applied (the API server refused a child): only Ready was reported at it;
        // GrafanaReady still speaks of generation 1.
        var stack = Stack(("GrafanaReady", "True"));
        stack.Metadata.Generation = 2;
        stack.Status!.Conditions![0].ObservedGeneration = 1;
        stack.Status.Conditions.Add(new V1Condition { Type = "Ready", Status = "False", Reason = "ApplyRejected", Message = "StatefulSet metrics-influxdb: spec: Forbidden", ObservedGeneration = 2 });

        var gate = StackResolution.Gate(stack).ShouldNotBeNull();

        gate.Reason.ShouldBe(AppAlertReasons.StackNotReady);
        gate.Message.ShouldBe("MetricsStack metrics/metrics has not applied generation 2 (ApplyRejected: StatefulSet metrics-influxdb: spec: Forbidden)");
        stack.Status.Conditions[0].ObservedGeneration = 2;
        StackResolution.Gate(stack).ShouldBeNull("applied: the gate opens");
    }

    [Fact]
    public void No_GrafanaReady_yet_or_a_stack_being_deleted_is_StackNotReady()
    {
        StackResolution.Gate(Stack(("Ready", "True"))).ShouldNotBeNull().Reason.ShouldBe(AppAlertReasons.StackNotReady);
        var deleting = Stack(("GrafanaReady", "True"));
        deleting.Metadata.DeletionTimestamp = DateTime.UtcNow;
        StackResolution.Gate(deleting).ShouldNotBeNull().ShouldBe((AppAlertReasons.StackNotReady, "MetricsStack metrics/metrics is being deleted"));
    }

    [Fact]
    public void Only_spec_deletion_and_GrafanaReady_changes_wake_the_appalerts()
    {
        var before = Stack(("Ready", "True"), ("InfluxDBReady", "True"), ("GrafanaReady", "True"));

        StackResolution.GateOrSpecChanged(before, Stack(("Ready", "False"), ("InfluxDBReady", "False"), ("GrafanaReady", "True"))).ShouldBeFalse();
        StackResolution.GateOrSpecChanged(before, Stack(("Ready", "True"), ("InfluxDBReady", "True"), ("GrafanaReady", "False"))).ShouldBeTrue();
        var edited = Stack(("Ready", "True"), ("InfluxDBReady", "True"), ("GrafanaReady", "True"));
        edited.Metadata.Generation = 2;
        StackResolution.GateOrSpecChanged(before, edited).ShouldBeTrue();
    }

    [Fact]
    public void A_stack_whose_spec_is_refused_is_StackNotReady_quoting_it_and_that_wakes_the_appalerts()
    {
        var valid = Stack(("GrafanaReady", "True"), ("Ready", "True"));
        var invalid = Stack(("GrafanaReady", "True"));
        invalid.Status!.Conditions!.Add(new V1Condition { Type = "Ready", Status = "False", Reason = "InvalidSpec", Message = "spec.grafana.url: required when mode is external" });

        StackResolution.Gate(invalid).ShouldBe((AppAlertReasons.StackNotReady, "MetricsStack metrics/metrics has an invalid spec: spec.grafana.url: required when mode is external"));
        StackResolution.GateOrSpecChanged(valid, invalid).ShouldBeTrue();
    }

    [Fact]
    public void GrafanaReady_reported_at_the_new_generation_opens_the_gate_and_wakes_the_appalerts()
    {
        // A spec edit (generation 2) that GrafanaReady, still True, speaks of only from its next write.
        var edited = Stack(("GrafanaReady", "True"));
        edited.Metadata.Generation = 2;
        edited.Status!.Conditions![0].ObservedGeneration = 1;
        var reported = Stack(("GrafanaReady", "True"));
        reported.Metadata.Generation = 2;
        reported.Status!.Conditions![0].ObservedGeneration = 2;

        StackResolution.Gate(edited).ShouldNotBeNull().Reason.ShouldBe(AppAlertReasons.StackNotReady);
        StackResolution.Gate(reported).ShouldBeNull();
        StackResolution.GateOrSpecChanged(edited, reported).ShouldBeTrue("the status write that opens the gate must wake the AppAlerts it closed");
    }
}

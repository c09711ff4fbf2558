using k8s;
using MetricsOperator.Alerts;
using MetricsOperator.Runtime.Events;
using MetricsOperator.Tests.Integration;
using static MetricsOperator.Tests.Alerts.AlertSamples;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// A server's error text that echoes a secret is quoted in status only redacted, as in Events: every condition message
/// goes through the same redactor (ConditionSet.Set). Real API server, Grafana fake answering with a planted token.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class StatusRedactionTests(ApiServerFixture fixture)
{
    [Fact]
    public async Task A_secret_in_grafanas_error_body_reaches_neither_status_nor_events()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        var planted = $"Zq9{Guid.NewGuid():N}Xy7{Guid.NewGuid():N}";
        op.Grafana.Faults.FailNext(1, 400, "POST", "/api/v1/provisioning/alert-rules", message: $"invalid rule, token={planted} was refused");

        await op.CreateAsync(Alert(op.Namespace, "leaky", Rule("r1")));
        var rejected = await op.WaitForReadyAsync("leaky", "False", AppAlertReasons.GrafanaRejected);

        var status = KubernetesJson.Serialize(rejected.Status);
        status.ShouldNotContain(planted);
        rejected.Status.Conditions!.Single(c => c.Type == "Ready").Message.ShouldContain(Redactor.Mask, Case.Sensitive, "Grafana's answer is quoted, masked");
        var events = await op.Admin.CoreV1.ListNamespacedEventAsync(op.Namespace);
        events.Items.ShouldContain(e => e.Reason == AppAlertReasons.GrafanaRejected);
        events.Items.ShouldNotContain(e => e.Message.Contains(planted, StringComparison.Ordinal));

        // It recovers on its own (the fault was one answer), and the recovery writes no secret either.
        await op.WaitForReadyAsync("leaky", "True", AppAlertReasons.Synced, TimeSpan.FromSeconds(20));
    }
}

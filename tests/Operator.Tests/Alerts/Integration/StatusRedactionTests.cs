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
        // Every POST refused until cleared: the rejection stays in status long enough to be read (one refusal would be
        // retried within milliseconds and could be missed).
        op.Grafana.Faults.FailNext(10_000, 400, "POST", "/api/v1/provisioning/alert-rules", message: $"invalid rule, token={planted} was refused");

        await op.CreateAsync(Alert(op.Namespace, "leaky", Rule("r1")));
        var rejected = await op.WaitForReadyAsync("leaky", "False", AppAlertReasons.GrafanaRejected);

        var status = KubernetesJson.Serialize(rejected.Status);
        status.ShouldNotContain(planted);
        rejected.Status.Conditions!.Single(c => c.Type == "Ready").Message.ShouldContain(Redactor.Mask, Case.Sensitive, "Grafana's answer is quoted, masked");
        // The Event follows the status patch.
        var events = await Eventually.UntilAsync(
            async () => (await op.Admin.CoreV1.ListNamespacedEventAsync(op.Namespace)).Items,
            items => items!.Any(e => e.Reason == AppAlertReasons.GrafanaRejected), "a GrafanaRejected Event");
        events!.ShouldNotContain(e => e.Message.Contains(planted, StringComparison.Ordinal));

        // Grafana takes the rule again: the AppAlert recovers on its own (its backoff is its own).
        op.Grafana.Faults.Clear();
        await op.WaitForReadyAsync("leaky", "True", AppAlertReasons.Synced, TimeSpan.FromSeconds(30));
    }
}

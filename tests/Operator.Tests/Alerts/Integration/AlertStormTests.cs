using MetricsOperator.Alerts;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Integration;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// The whole operator (MetricsStack and AppAlert controllers) against the fakes: an AppAlert refused for a rule title
/// its app already uses causes no storm — no extra stack reconciles, no InfluxDB or Grafana traffic, one Warning Event.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class AlertStormTests(ApiServerFixture fixture)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_refused_appalert_wakes_neither_its_stack_nor_the_others()
    {
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));
        await op.CreateStackWithSpecAsync(new { });
        await Eventually.UntilAsync(op.GetStackAsync, s => ConditionSet.IsTrue(s?.Status?.Conditions, MetricsStackConditions.Ready), "the stack is Ready");
        await CreateAsync(op, "first", "r1", "r2");
        await WaitForReadyAsync(op, "first", AppAlertReasons.Synced);
        var baseline = await MeasureAsync(op);
        var firstWarnings = await WarningsAsync(op, "first");

        await CreateAsync(op, "second", "r3", "r2");
        await WaitForReadyAsync(op, "second", AppAlertReasons.DuplicateRuleTitle);
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        var during = await MeasureAsync(op);

        during.StackReconciles.ShouldBeLessThanOrEqualTo(baseline.StackReconciles + 1, $"stack reconciles in {Window}: before {baseline}, with the refused AppAlert {during}");
        during.Influx.ShouldBeLessThanOrEqualTo(baseline.Influx + 5, $"InfluxDB requests in {Window}: before {baseline}, with the refused AppAlert {during}");
        during.Grafana.ShouldBeLessThanOrEqualTo(baseline.Grafana + 5, $"Grafana requests in {Window}: before {baseline}, with the refused AppAlert {during}");
        (await WarningsAsync(op, "second")).ShouldBe(1);
        (await WarningsAsync(op, "first")).ShouldBe(firstWarnings, "the first AppAlert did not flap");
        (await op.Admin.GetAsync<V1Alpha1AppAlert>(op.Namespace, "first"))!.Status!.Conditions!.Single(c => c.Type == "Ready").Reason.ShouldBe(AppAlertReasons.Synced);
        op.Grafana.Contract.AssertNoContractViolations();
    }

    private static async Task<Traffic> MeasureAsync(OperatorWithFakes op)
    {
        var stack = StackReconciles.Count(op.Manager);
        var (influx, grafana) = (op.Influx.Requests.Total, op.Grafana.Requests.Total);
        await Task.Delay(Window);
        return new Traffic(StackReconciles.Count(op.Manager) - stack, op.Influx.Requests.Total - influx, op.Grafana.Requests.Total - grafana);
    }

    private static async Task<int> WarningsAsync(OperatorWithFakes op, string name) =>
        (await op.EventsAsync()).Where(e => e.Type == "Warning" && e.InvolvedObject.Name == name).Sum(e => e.Count ?? 1);

    private static async Task CreateAsync(OperatorWithFakes op, string name, params string[] rules)
    {
        var alert = AlertSamples.ForApiServer(AlertSamples.Alert(op.Namespace, name, [.. rules.Select(r => AlertSamples.Rule(r))]));
        alert.Spec.App = "shared";
        await op.Admin.CreateAsync(alert);
    }

    private static Task<V1Alpha1AppAlert> WaitForReadyAsync(OperatorWithFakes op, string name, string reason) =>
        Eventually.UntilAsync(() => op.Admin.GetAsync<V1Alpha1AppAlert>(op.Namespace, name),
            a => a?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Reason == reason) == true, $"{name} is {reason}");

    private sealed record Traffic(double StackReconciles, long Influx, long Grafana);
}

using MetricsOperator.Tests.Integration;

namespace MetricsOperator.Tests.Alerts.Integration;

/// <summary>
/// The AppAlert harness fakes a MetricsStack's status; these pin that it fakes only what the product would report:
/// a stack the operator's StackValidation refuses (an external Grafana without spec.environment) never gets a
/// Ready status from it, at creation or after a spec change.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class AlertOperatorHarnessTests(ApiServerFixture fixture)
{
    [Fact]
    public async Task An_external_stack_without_environment_is_refused_naming_the_field()
    {
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => AlertOperator.StartAsync(fixture.Plane, environment: null));
        refused.Message.ShouldContain("spec.environment: required when spec.grafana.mode is external");
    }

    [Fact]
    public async Task Removing_the_environment_from_the_stored_stack_stops_the_faked_status()
    {
        await using var op = await AlertOperator.StartAsync(fixture.Plane);
        op.Environment.ShouldBe(AlertOperator.DefaultEnvironment);

        await op.PatchStackSpecAsync(new { environment = (string?)null });
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => op.SetStackStatusAsync());
        refused.Message.ShouldContain("spec.environment");
    }
}

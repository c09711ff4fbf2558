using MetricsOperator.Alerts.Routing;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Grafana;
using Shouldly;
using Xunit;

namespace MetricsOperator.Tests.Alerts;

/// <summary>
/// Templates and mute timings have no UID, so the names the stack owns live in its status. A reconcile can read a
/// status older than the one this process wrote last (the cache lags its own writes): seen in CI as a mute timing left
/// in Grafana after the spec dropped it, because a reconcile that found it already as wanted did not record it, wrote
/// a status without it, and the next one had nothing to delete.
/// </summary>
public sealed class NotificationObjectsSyncTests : IAsyncLifetime
{
    private GrafanaFake grafana = null!;

    public async Task InitializeAsync() => grafana = await GrafanaFake.StartNewAsync();

    public async Task DisposeAsync() => await grafana.DisposeAsync();

    [Fact]
    public async Task What_the_spec_names_is_owned_even_when_already_as_wanted_so_dropping_it_later_deletes_it()
    {
        using var client = new GrafanaClient(grafana.BaseUri, GrafanaCredentials.Basic("admin", "admin"));
        var stack = Stack(withObjects: true);
        var templates = NotificationContent.Templates(stack);
        var timings = NotificationContent.MuteTimings(stack);
        (await new NotificationObjectsSync(client, null).WriteAsync(templates, timings, default)).ShouldBe(2);

        // A reconcile that read the status from before that write: nothing recorded, nothing to write.
        var stale = new NotificationObjectsSync(client, recorded: null);
        (await stale.WriteAsync(templates, timings, default)).ShouldBe(0);
        stale.Owned.Templates.ShouldBe(["idfdev_title"]);
        stale.Owned.MuteTimings.ShouldBe(["idfdev_nights"]);

        // The spec drops both: the next reconcile, reading what that one recorded, deletes them.
        var next = new NotificationObjectsSync(client, stale.Owned);
        var dropped = Stack(withObjects: false);
        (await next.DeleteStaleAsync(NotificationContent.Templates(dropped), NotificationContent.MuteTimings(dropped), default)).ShouldBe(2);
        grafana.State.MuteTimings.Keys.ShouldBeEmpty();
        grafana.State.Templates.Keys.ShouldBeEmpty();
        grafana.Contract.AssertNoContractViolations();
    }

    private static V1Alpha1MetricsStack Stack(bool withObjects) => new()
    {
        Metadata = new k8s.Models.V1ObjectMeta { Name = "metrics", NamespaceProperty = "metrics" },
        Spec = new MetricsStackSpec
        {
            Environment = "idfdev",
            Grafana = new GrafanaSpec
            {
                Templates = withObjects ? [new NotificationTemplateSpec { Name = "title", Template = "[{{ .Status }}] {{ .CommonLabels.alertname }}" }] : [],
                MuteTimings = withObjects ? [new MuteTimingSpec { Name = "nights", TimeIntervals = [new() { Times = [new() { StartTime = "22:00", EndTime = "24:00" }] }] }] : [],
            },
        },
    };
}

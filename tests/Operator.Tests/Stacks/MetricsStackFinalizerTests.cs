using MetricsOperator.Crds;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

public sealed class MetricsStackFinalizerTests
{
    [Fact]
    public void Retain_deletes_no_claim() =>
        MetricsStackFinalizer.ClaimsToDelete(DefaultedStack.Of(Stacks.FullSample())).ShouldBeEmpty();

    [Fact]
    public void Delete_deletes_the_influxdb_and_grafana_data_claims_but_never_telegraf_buffers() =>
        MetricsStackFinalizer.ClaimsToDelete(DefaultedStack.Of(Stacks.FullSampleWith(s => s.InfluxDb!.DeletionPolicy = DeletionPolicy.Delete)))
            .ShouldBe(["data-metrics-influxdb-0", "metrics-grafana"]);
}

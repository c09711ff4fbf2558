using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks.Storage;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

/// <summary>What a size or class change in the spec means for volumes that exist, as a pure function.</summary>
public sealed class ClaimGrowthPlanTests
{
    [Fact]
    public void Growth_lists_each_existing_claim_of_each_grown_template_and_refuses_shrinking_or_a_new_class()
    {
        var running = Stack(influx: "10Gi", buffer: "1Gi", storageClass: "fast");
        var live = StackBuilder.Build(DefaultedStack.Of(running)).OfType<V1StatefulSet>().ToDictionary(s => s.Metadata.Name);
        var claims = new[]
        {
            Claim("data-metrics-influxdb-0", "10Gi", "fast"),
            Claim("buffer-metrics-telegraf-0", "1Gi", "standard"),
            Claim("buffer-metrics-telegraf-1", "1Gi", "standard"),
            Claim("buffer-metrics-telegraf-x", "1Gi", "standard"),
            Claim("data-other-influxdb-0", "10Gi", "fast"),
        };

        var (growths, refusals) = ClaimGrowthPlan.Plan(running, StackBuilder.Build(DefaultedStack.Of(Stack("20Gi", "2Gi", "fast"))), live.GetValueOrDefault, claims);
        refusals.ShouldBeEmpty();
        growths.Select(g => (g.StatefulSet, g.Field, string.Join(",", g.Claims.Select(c => $"{c.Claim}:{c.From}->{c.To}")))).ShouldBe(
        [
            ("metrics-influxdb", "spec.influxdb.storage.size", "data-metrics-influxdb-0:10Gi->20Gi"),
            ("metrics-telegraf", "spec.telegraf.diskBuffer.size", "buffer-metrics-telegraf-0:1Gi->2Gi,buffer-metrics-telegraf-1:1Gi->2Gi"),
        ]);

        ClaimGrowthPlan.Plan(running, StackBuilder.Build(DefaultedStack.Of(running)), live.GetValueOrDefault, claims).Growths.ShouldBeEmpty("nothing changed");

        var (_, shrink) = ClaimGrowthPlan.Plan(running, StackBuilder.Build(DefaultedStack.Of(Stack("5Gi", "1Gi", "fast"))), live.GetValueOrDefault, claims);
        shrink.ShouldHaveSingleItem().ToString().ShouldBe("spec.influxdb.storage.size: 5Gi is smaller than the 10Gi the volumes have; a volume never shrinks");

        var (none, moved) = ClaimGrowthPlan.Plan(running, StackBuilder.Build(DefaultedStack.Of(Stack("20Gi", "1Gi", "slow"))), live.GetValueOrDefault, claims);
        none.ShouldBeEmpty();
        moved.ShouldHaveSingleItem().Field.ShouldBe("spec.influxdb.storage.storageClassName");
        moved.Single().Message.ShouldStartWith("the volumes were made with StorageClass \"fast\"; changing it to \"slow\" would need new, empty volumes");
    }

    private static V1Alpha1MetricsStack Stack(string influx, string buffer, string storageClass) => Stacks.MinimalSampleWith(spec =>
    {
        spec.InfluxDb = new InfluxDbSpec { Storage = new StorageSpec { Size = new ResourceQuantity(influx), StorageClassName = storageClass } };
        spec.Telegraf = new TelegrafSpec { Replicas = 2, DiskBuffer = new DiskBufferSpec { Enabled = true, Size = new ResourceQuantity(buffer) } };
    });

    private static V1PersistentVolumeClaim Claim(string name, string size, string storageClass) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PersistentVolumeClaimSpec
        {
            StorageClassName = storageClass,
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(size) } },
        },
    };
}

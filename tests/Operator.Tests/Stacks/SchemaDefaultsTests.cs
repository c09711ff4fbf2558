using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

public class SchemaDefaultsTests
{
    [Fact]
    public void An_empty_spec_gets_the_schema_defaults()
    {
        var spec = SchemaDefaults.Applied(Stacks.MinimalSample()).Spec;

        spec.InfluxDb!.Organization.ShouldBe("rubin");
        spec.InfluxDb.Bucket.ShouldBe("metrics");
        spec.InfluxDb.Retention.ShouldBe("0s");
        spec.InfluxDb.DeletionPolicy.ShouldBe(DeletionPolicy.Retain);
        spec.InfluxDb.Storage!.Size.ShouldBe(new ResourceQuantity("100Gi"));
        spec.Telegraf!.ListenerPort.ShouldBe(8186);
        spec.Telegraf.Replicas.ShouldBe(1);
        spec.Telegraf.DiskBuffer!.Enabled.ShouldBe(false);
        spec.Grafana!.Mode.ShouldBe(GrafanaMode.Managed);
        spec.Grafana.Datasources!.InfluxQL.ShouldBe(true);
        spec.Grafana.Datasources.Flux.ShouldBe(true);
        // Optional sections without a schema default stay out, as the API server leaves them.
        spec.Telegraf.Kafka.ShouldBeNull();
        spec.Backup.ShouldBeNull();
    }

    [Fact]
    public void Given_values_are_kept_and_nested_sections_are_defaulted_too()
    {
        var stack = Stacks.MinimalSample();
        stack.Spec.Telegraf = new TelegrafSpec { Replicas = 3, Kafka = new KafkaSpec { Brokers = ["b:9092"], Topics = ["t"], Sasl = new KafkaSaslSpec() } };

        var spec = SchemaDefaults.Applied(stack).Spec;

        spec.Telegraf!.Replicas.ShouldBe(3);
        spec.Telegraf.ListenerPort.ShouldBe(8186);
        spec.Telegraf.Kafka!.ConsumerGroup.ShouldBe("telegraf-metrics");
        spec.Telegraf.Kafka.DataFormat.ShouldBe(KafkaDataFormat.Influx);
        spec.Telegraf.Kafka.Sasl!.Mechanism.ShouldBe(SaslMechanism.ScramSha512);
        stack.Spec.Telegraf.ListenerPort.ShouldBeNull("the input is not modified");
    }
}

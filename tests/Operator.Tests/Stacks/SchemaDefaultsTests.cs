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
    public void Each_copy_gets_defaults_of_its_own()
    {
        // The defaults are worked out once per type and reused; the objects they make must not be: a reconcile that
        // changed its copy's section or quantity would otherwise change every later copy.
        var stack = Stacks.MinimalSample();
        var first = SchemaDefaults.Applied(stack).Spec;
        var second = SchemaDefaults.Applied(stack).Spec;

        second.InfluxDb.ShouldNotBeSameAs(first.InfluxDb);
        second.InfluxDb!.Storage.ShouldNotBeSameAs(first.InfluxDb!.Storage);
        second.InfluxDb.Storage!.Size.ShouldNotBeSameAs(first.InfluxDb.Storage!.Size);
        first.InfluxDb.Storage.Size = new ResourceQuantity("1Gi");
        first.Telegraf!.Replicas = 5;
        var third = SchemaDefaults.Applied(stack).Spec;
        third.InfluxDb!.Storage!.Size.ShouldBe(new ResourceQuantity("100Gi"));
        third.Telegraf!.Replicas.ShouldBe(1);
        stack.Spec.InfluxDb.ShouldBeNull("the input is not changed");
    }

    [Fact]
    public void Given_values_are_kept_and_nested_sections_are_defaulted_too()
    {
        var stack = Stacks.MinimalSample();
        stack.Spec.Telegraf = new TelegrafSpec { Replicas = 3, Kafka = new KafkaSpec { Brokers = ["b:9092"], Consumers = [new KafkaConsumerSpec { Name = "app", Topics = ["t"], DataFormat = KafkaDataFormat.Influx }], Sasl = new KafkaSaslSpec(), Tls = new KafkaTlsSpec() } };

        var spec = SchemaDefaults.Applied(stack).Spec;

        spec.Telegraf!.Replicas.ShouldBe(3);
        spec.Telegraf.ListenerPort.ShouldBe(8186);
        var consumer = spec.Telegraf.Kafka!.Consumers.ShouldHaveSingleItem();
        consumer.ConsumerGroup.ShouldBe("telegraf-metrics");
        consumer.Offset.ShouldBe(KafkaOffset.Oldest);
        consumer.MaxUndeliveredMessages.ShouldBe(10000);
        spec.Telegraf.Kafka.Sasl!.Mechanism.ShouldBe(SaslMechanism.ScramSha512);
        spec.Telegraf.Kafka.Sasl.PasswordKey.ShouldBe("password", "Strimzi's KafkaUser Secret key");
        spec.Telegraf.Kafka.Tls!.CaKey.ShouldBe("ca.crt");
        spec.Telegraf.Kafka.Tls.CertKey.ShouldBe("user.crt");
        spec.Telegraf.Kafka.Tls.KeyKey.ShouldBe("user.key");
        spec.Telegraf.Agent!.MetricBatchSize.ShouldBe(5000);
        spec.Telegraf.InternalMetrics!.Enabled.ShouldBe(true);
        stack.Spec.Telegraf.ListenerPort.ShouldBeNull("the input is not modified");
    }
}

using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

public class TelegrafBuilderTests
{
    [Fact]
    public void The_config_hash_is_the_hash_of_the_rendered_conf()
    {
        var stack = Stacks.FullSample();
        var conf = TelegrafBuilder.ConfigMap(DefaultedStack.Of(stack)).Data[TelegrafConfigRenderer.FileName];

        Hash(stack).ShouldBe(ConfigHash.Of(conf));
    }

    [Theory]
    [InlineData("bucket")]
    [InlineData("organization")]
    [InlineData("listenerPort")]
    [InlineData("kafkaTopics")]
    [InlineData("diskBuffer")]
    public void The_config_hash_changes_when_the_conf_changes(string field)
    {
        var before = Stacks.FullSample();
        var after = Stacks.FullSampleWith(spec =>
        {
            switch (field)
            {
                case "bucket": spec.InfluxDb!.Bucket = "other"; break;
                case "organization": spec.InfluxDb!.Organization = "other"; break;
                case "listenerPort": spec.Telegraf!.ListenerPort = 9999; break;
                case "kafkaTopics": spec.Telegraf!.Kafka!.Consumers[0].Topics!.Add("more"); break;
                case "diskBuffer": spec.Telegraf!.DiskBuffer!.Enabled = false; break;
            }
        });

        TelegrafConfigRenderer.Render(DefaultedStack.Of(after)).ShouldNotBe(TelegrafConfigRenderer.Render(DefaultedStack.Of(before)));
        Hash(after).ShouldNotBe(Hash(before));
    }

    [Theory]
    [InlineData("replicas")]
    [InlineData("image")]
    [InlineData("resources")]
    [InlineData("bufferSize")]
    [InlineData("saslSecret")]
    public void The_config_hash_stays_when_only_other_fields_change(string field)
    {
        var before = Stacks.FullSample();
        var after = Stacks.FullSampleWith(spec =>
        {
            switch (field)
            {
                case "replicas": spec.Telegraf!.Replicas = 5; break;
                case "image": spec.Telegraf!.Image = "docker.io/library/telegraf:1.39.1"; break;
                case "resources": spec.Telegraf!.Resources = null; break;
                case "bufferSize": spec.Telegraf!.DiskBuffer!.Size = new ResourceQuantity("9Gi"); break;
                case "saslSecret": spec.Telegraf!.Kafka!.Sasl!.Secret.Name = "other-sasl"; break;
            }
        });

        TelegrafConfigRenderer.Render(DefaultedStack.Of(after)).ShouldBe(TelegrafConfigRenderer.Render(DefaultedStack.Of(before)));
        Hash(after).ShouldBe(Hash(before));
    }

    [Fact]
    public void The_token_reaches_Telegraf_only_through_a_Secret_reference()
    {
        var stack = Stacks.FullSample();
        var container = Template(stack).Spec.Containers.Single();

        var token = container.Env.Single(e => e.Name == TelegrafConfigRenderer.TokenEnv);
        token.Value.ShouldBeNull();
        token.ValueFrom.SecretKeyRef.Name.ShouldBe("metrics-telegraf-token");
        token.ValueFrom.SecretKeyRef.Key.ShouldBe(StackNames.TokenKey);
        TelegrafConfigRenderer.Render(DefaultedStack.Of(stack)).ShouldContain("token = \"${INFLUX_TOKEN}\"");
    }

    [Fact]
    public void Kafka_adds_the_consumer_and_its_Secrets_and_removing_it_takes_them_away_without_changing_the_object_set()
    {
        var withKafka = Stacks.FullSample();
        var withoutKafka = Stacks.FullSampleWith(spec => spec.Telegraf!.Kafka = null);

        var on = Template(withKafka).Spec;
        on.Containers.Single().Env.Select(e => e.Name).ShouldBe(["INFLUX_TOKEN", "LISTENER_TOKEN", "KAFKA_SASL_PASSWORD", "POD_NAME"]);
        on.Containers.Single().Env.Single(e => e.Name == "KAFKA_SASL_PASSWORD").ValueFrom.SecretKeyRef.ShouldSatisfyAllConditions(r => r.Name.ShouldBe("metrics-telegraf"), r => r.Key.ShouldBe("password"));
        on.Volumes.ShouldContain(v => v.Name == "kafka-ca" && v.Secret.SecretName == "sasquatch-cluster-ca-cert");
        TelegrafConfigRenderer.Render(DefaultedStack.Of(withKafka)).ShouldContain("[[inputs.kafka_consumer]]");

        var off = Template(withoutKafka).Spec;
        off.Containers.Single().Env.Select(e => e.Name).ShouldBe(["INFLUX_TOKEN", "LISTENER_TOKEN", "POD_NAME"]);
        off.Volumes.ShouldNotContain(v => v.Name.StartsWith("kafka", StringComparison.Ordinal));
        TelegrafConfigRenderer.Render(DefaultedStack.Of(withoutKafka)).ShouldNotContain("kafka");

        // Kafka lives inside Telegraf's own objects: turning it off prunes nothing, it rewrites the conf and the pod.
        StackBuilder.Build(DefaultedStack.Of(withoutKafka)).Select(Stacks.Key).ShouldBe(StackBuilder.Build(DefaultedStack.Of(withKafka)).Select(Stacks.Key));
    }

    [Fact]
    public void The_disk_buffer_turns_the_Deployment_into_a_StatefulSet_with_one_buffer_claim_per_pod()
    {
        var buffered = StackBuilder.Build(DefaultedStack.Of(Stacks.FullSample())).Select(Stacks.Key).ToList();
        var memory = StackBuilder.Build(DefaultedStack.Of(Stacks.FullSampleWith(spec => spec.Telegraf!.DiskBuffer!.Enabled = false))).Select(Stacks.Key).ToList();

        buffered.ShouldContain("StatefulSet/metrics-telegraf");
        buffered.ShouldNotContain("Deployment/metrics-telegraf");
        memory.ShouldContain("Deployment/metrics-telegraf");
        memory.ShouldNotContain("StatefulSet/metrics-telegraf");
        buffered.Except(memory).ShouldBe(["StatefulSet/metrics-telegraf"]);

        var statefulSet = (V1StatefulSet)TelegrafBuilder.Workload(DefaultedStack.Of(Stacks.FullSample()));
        var claim = statefulSet.Spec.VolumeClaimTemplates.ShouldHaveSingleItem();
        claim.Metadata.Name.ShouldBe(StackNames.TelegrafBufferVolume);
        claim.Metadata.OwnerReferences.ShouldBeNull();
        claim.Spec.Resources.Requests["storage"].ShouldBe(new ResourceQuantity("2Gi"));
        statefulSet.Spec.Replicas.ShouldBe(2);
        statefulSet.Spec.Template.Spec.Containers.Single().VolumeMounts
            .ShouldContain(m => m.Name == StackNames.TelegrafBufferVolume && m.MountPath == TelegrafConfigRenderer.BufferDirectory);
        TelegrafConfigRenderer.Render(DefaultedStack.Of(Stacks.FullSample())).ShouldContain($"buffer_directory = \"{TelegrafConfigRenderer.BufferDirectory}\"");
    }

    [Fact]
    public void The_listener_port_agrees_across_conf_container_service_and_policy()
    {
        var objects = StackBuilder.Build(DefaultedStack.Of(Stacks.MinimalSampleWith(spec => spec.Telegraf!.ListenerPort = 9123)));

        TelegrafConfigRenderer.Render(DefaultedStack.Of(Stacks.MinimalSampleWith(spec => spec.Telegraf!.ListenerPort = 9123))).ShouldContain("service_address = \":9123\"");
        objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "metrics-telegraf").Spec.Template.Spec.Containers.Single().Ports.Single().ContainerPort.ShouldBe(9123);
        objects.OfType<V1Service>().Single(s => s.Metadata.Name == "metrics-telegraf").Spec.Ports.Single().Port.ShouldBe(9123);
        objects.OfType<V1NetworkPolicy>().Single(p => p.Metadata.Name == "metrics-telegraf").Spec.Ingress.Single().Ports.Single().Port.Value.ShouldBe("9123");
    }

    private static V1PodTemplateSpec Template(V1Alpha1MetricsStack stack) => TelegrafBuilder.Workload(DefaultedStack.Of(stack)) switch
    {
        V1Deployment deployment => deployment.Spec.Template,
        V1StatefulSet statefulSet => statefulSet.Spec.Template,
        var other => throw new InvalidOperationException($"Unexpected workload {other.Kind}"),
    };

    private static string Hash(V1Alpha1MetricsStack stack) => Template(stack).Metadata.Annotations[ConfigHash.Annotation];
}

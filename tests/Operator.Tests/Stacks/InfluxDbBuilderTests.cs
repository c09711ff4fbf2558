using k8s.Models;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

public class InfluxDbBuilderTests
{
    [Fact]
    public void One_replica_whose_data_claim_is_made_by_the_StatefulSet_and_owned_by_nobody()
    {
        var stack = Stacks.FullSample();
        var statefulSet = InfluxDbBuilder.StatefulSet(DefaultedStack.Of(stack));

        statefulSet.Spec.Replicas.ShouldBe(1);
        statefulSet.Spec.ServiceName.ShouldBe(InfluxDbBuilder.Service(stack).Metadata.Name);
        var claim = statefulSet.Spec.VolumeClaimTemplates.ShouldHaveSingleItem();
        claim.Metadata.Name.ShouldBe("data");
        claim.Metadata.OwnerReferences.ShouldBeNull();
        claim.Metadata.Labels.ShouldNotContainKey(StackLabels.Instance);
        claim.Metadata.Annotations[InfluxDbBuilder.DeletionPolicyAnnotation].ShouldBe("Retain");
        claim.Spec.Resources.Requests["storage"].ShouldBe(new ResourceQuantity("200Gi"));
        claim.Spec.StorageClassName.ShouldBe("standard-rwo");
        // The name the StatefulSet controller gives the claim: <template>-<statefulset>-<ordinal>.
        StackNames.InfluxDbDataClaim(stack).ShouldBe($"{claim.Metadata.Name}-{statefulSet.Metadata.Name}-0");
        statefulSet.Spec.Template.Spec.Containers.Single().VolumeMounts.ShouldContain(m => m.Name == claim.Metadata.Name && m.MountPath == InfluxDbBuilder.DataDirectory);
        // The claim itself is never in the desired set: pruning it would delete the data.
        StackBuilder.Build(DefaultedStack.Of(stack)).OfType<V1PersistentVolumeClaim>().ShouldNotContain(c => c.Metadata.Name == StackNames.InfluxDbDataClaim(stack));
    }

    [Fact]
    public void Storage_defaults_when_left_out()
    {
        var claim = InfluxDbBuilder.StatefulSet(DefaultedStack.Of(Stacks.MinimalSample())).Spec.VolumeClaimTemplates.Single();

        claim.Spec.Resources.Requests["storage"].ShouldBe(new ResourceQuantity("100Gi"));
        claim.Spec.StorageClassName.ShouldBeNull();
    }

    [Fact]
    public void Configured_by_INFLUXD_environment_with_data_on_the_volume_and_no_reporting()
    {
        var env = InfluxDbBuilder.StatefulSet(DefaultedStack.Of(Stacks.MinimalSample())).Spec.Template.Spec.Containers.Single().Env.ToDictionary(e => e.Name, e => e.Value);

        env.Keys.ShouldAllBe(k => k.StartsWith("INFLUXD_", StringComparison.Ordinal));
        env["INFLUXD_BOLT_PATH"].ShouldStartWith(InfluxDbBuilder.DataDirectory + "/");
        env["INFLUXD_ENGINE_PATH"].ShouldStartWith(InfluxDbBuilder.DataDirectory + "/");
        env["INFLUXD_HTTP_BIND_ADDRESS"].ShouldBe(":8086");
        env["INFLUXD_REPORTING_DISABLED"].ShouldBe("true");
    }

    [Fact]
    public void Probes_ask_health_on_the_http_port()
    {
        var container = InfluxDbBuilder.StatefulSet(DefaultedStack.Of(Stacks.MinimalSample())).Spec.Template.Spec.Containers.Single();
        var httpPort = container.Ports.Single(p => p.Name == "http").ContainerPort;

        httpPort.ShouldBe(8086);
        foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe })
        {
            probe.HttpGet.Path.ShouldBe("/health");
            probe.HttpGet.Port.Value.ShouldBe("http");
        }

        InfluxDbBuilder.Service(Stacks.MinimalSample()).Spec.Ports.Single().ShouldSatisfyAllConditions(
            p => p.Port.ShouldBe(8086), p => p.TargetPort.Value.ShouldBe("http"));
    }

    [Fact]
    public void The_image_comes_from_the_spec()
    {
        var stack = Stacks.MinimalSampleWith(spec => spec.InfluxDb!.Image = "registry.example/influxdb:2.7.99");

        InfluxDbBuilder.StatefulSet(DefaultedStack.Of(stack)).Spec.Template.Spec.Containers.Single().Image.ShouldBe("registry.example/influxdb:2.7.99");
        InfluxDbBuilder.StatefulSet(DefaultedStack.Of(Stacks.MinimalSample())).Spec.Template.Spec.Containers.Single().Image.ShouldBe("docker.io/library/influxdb:2.7.12-alpine");
    }
}

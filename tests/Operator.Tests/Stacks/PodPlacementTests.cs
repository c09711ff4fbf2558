using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Tests.Stacks;

/// <summary>spec.&lt;component&gt;.pod: placement, scheduling and annotations copied into each component's pod template.</summary>
public sealed class PodPlacementTests
{
    [Fact]
    public void InfluxDB_pods_get_node_selector_tolerations_affinity_and_priority_class()
    {
        var pod = InfluxDbBuilder.StatefulSet(DefaultedStack.Of(Stacks.FullSample())).Spec.Template.Spec;

        pod.NodeSelector.ShouldBe(new Dictionary<string, string> { ["node-role.kubernetes.io/storage"] = "true" });
        var toleration = pod.Tolerations.ShouldHaveSingleItem();
        (toleration.Key, toleration.OperatorProperty, toleration.Value, toleration.Effect).ShouldBe(("dedicated", "Equal", "storage", "NoSchedule"));
        pod.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution.ShouldHaveSingleItem()
            .Preference.MatchExpressions.ShouldHaveSingleItem().Key.ShouldBe("topology.kubernetes.io/zone");
        pod.PriorityClassName.ShouldBe("metrics-critical");
    }

    [Fact]
    public void Telegraf_pods_get_affinity_and_annotations_next_to_the_operators_own()
    {
        var template = ((V1StatefulSet)TelegrafBuilder.Workload(DefaultedStack.Of(Stacks.FullSample()))).Spec.Template;

        template.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution.ShouldHaveSingleItem()
            .PodAffinityTerm.TopologyKey.ShouldBe("kubernetes.io/hostname");
        template.Metadata.Annotations["example.org/log-format"].ShouldBe("logfmt");
        template.Metadata.Annotations.ShouldContainKey(ConfigHash.Annotation);
        template.Spec.NodeSelector.ShouldBeNull();
        template.Spec.PriorityClassName.ShouldBeNull();
    }

    [Fact]
    public void Telegraf_deployment_gets_them_too()
    {
        var stack = Stacks.MinimalSampleWith(spec => spec.Telegraf!.Pod = new PodSettings { PriorityClassName = "high", NodeSelector = new Dictionary<string, string> { ["pool"] = "metrics" } });

        var pod = ((V1Deployment)TelegrafBuilder.Workload(DefaultedStack.Of(stack))).Spec.Template.Spec;

        pod.PriorityClassName.ShouldBe("high");
        pod.NodeSelector["pool"].ShouldBe("metrics");
    }

    [Fact]
    public void Grafana_pod_gets_its_tolerations()
    {
        var pod = GrafanaBuilder.Deployment(DefaultedStack.Of(Stacks.FullSample())).Spec.Template.Spec;

        var toleration = pod.Tolerations.ShouldHaveSingleItem();
        (toleration.Key, toleration.OperatorProperty, toleration.Effect).ShouldBe(("dedicated", "Exists", "NoSchedule"));
        pod.Affinity.ShouldBeNull();
    }

    [Fact]
    public void Left_out_nothing_is_set()
    {
        var templates = Stacks.PodTemplates(StackBuilder.Build(DefaultedStack.Of(Stacks.MinimalSample()))).ToList();

        templates.ShouldNotBeEmpty();
        foreach (var (workload, template) in templates)
        {
            template.Spec.NodeSelector.ShouldBeNull(workload);
            template.Spec.Tolerations.ShouldBeNull(workload);
            template.Spec.Affinity.ShouldBeNull(workload);
            template.Spec.PriorityClassName.ShouldBeNull(workload);
        }
    }

    [Fact]
    public void An_annotation_under_the_operators_prefix_is_refused_naming_the_field()
    {
        var stack = Stacks.MinimalSampleWith(spec => spec.Telegraf!.Pod = new PodSettings
        {
            Annotations = new Dictionary<string, string> { [ConfigHash.Annotation] = "pinned", ["example.org/ok"] = "yes" },
        });

        var error = StackValidation.Validate(DefaultedStack.Of(stack)).ShouldHaveSingleItem();

        error.Field.ShouldBe("spec.telegraf.pod.annotations");
        error.Message.ShouldContain($"\"{ConfigHash.Annotation}\"");
    }

    [Theory]
    [InlineData("influxdb")]
    [InlineData("telegraf")]
    [InlineData("grafana")]
    public void Each_components_annotations_are_checked(string component)
    {
        var pod = new PodSettings { Annotations = new Dictionary<string, string> { [TokenRevision.Annotation] = "1" } };
        var stack = Stacks.MinimalSampleWith(spec =>
        {
            switch (component)
            {
                case "influxdb": spec.InfluxDb!.Pod = pod; break;
                case "telegraf": spec.Telegraf!.Pod = pod; break;
                default: spec.Grafana!.Pod = pod; break;
            }
        });

        StackValidation.Validate(DefaultedStack.Of(stack)).ShouldHaveSingleItem().Field.ShouldBe($"spec.{component}.pod.annotations");
    }

    [Fact]
    public void Should_one_reach_the_builder_the_operators_annotation_wins()
    {
        var stack = Stacks.MinimalSampleWith(spec => spec.Grafana!.Pod = new PodSettings
        {
            Annotations = new Dictionary<string, string> { [ConfigHash.Annotation] = "pinned", ["example.org/ok"] = "yes" },
        });

        var annotations = GrafanaBuilder.Deployment(DefaultedStack.Of(stack)).Spec.Template.Metadata.Annotations;

        annotations[ConfigHash.Annotation].ShouldNotBe("pinned");
        annotations[ConfigHash.Annotation].ShouldBe(GrafanaBuilder.Deployment(DefaultedStack.Of(Stacks.MinimalSample())).Spec.Template.Metadata.Annotations[ConfigHash.Annotation]);
        annotations["example.org/ok"].ShouldBe("yes");
    }

    [Fact]
    public void An_external_Grafana_has_no_pod_to_place()
    {
        var stack = Stacks.FullSampleWith(spec =>
        {
            spec.Environment = "summit";
            spec.Grafana!.Mode = GrafanaMode.External;
            spec.Grafana.Url = "https://grafana.example.org";
            spec.Grafana.CredentialsSecret = new SecretReference { Name = "grafana" };
        });

        // Ignored like image and resources, not refused: switching modes needs no other edit.
        stack.Spec.Grafana!.Pod.ShouldNotBeNull();
        StackValidation.Validate(DefaultedStack.Of(stack)).ShouldBeEmpty();
        StackBuilder.Build(DefaultedStack.Of(stack)).OfType<V1Deployment>().ShouldNotContain(d => d.Metadata.Name == StackNames.Grafana(stack));
    }

    [Fact]
    public void The_full_sample_is_valid()
    {
        StackValidation.Validate(DefaultedStack.Of(Stacks.FullSample())).ShouldBeEmpty();
    }
}

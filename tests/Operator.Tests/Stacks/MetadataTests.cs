using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Tests.Stacks;

public class MetadataTests
{
    [Theory]
    [MemberData(nameof(Stacks.Variants), MemberType = typeof(Stacks))]
    public void Every_object_but_a_retained_data_claim_is_controlled_by_the_stack(string variant)
    {
        var stack = Stacks.Variant(variant);
        var retain = SchemaDefaults.Applied(stack).Spec.InfluxDb!.DeletionPolicy == DeletionPolicy.Retain;

        foreach (var item in StackBuilder.Build(DefaultedStack.Of(stack)))
        {
            if (item is V1PersistentVolumeClaim && retain)
            {
                item.Metadata.OwnerReferences.ShouldBeNull($"{Stacks.Key(item)} must outlive the stack");
                continue;
            }

            var owner = item.Metadata.OwnerReferences.ShouldHaveSingleItem(Stacks.Key(item));
            owner.ApiVersion.ShouldBe("metrics.lsst.io/v1alpha1");
            owner.Kind.ShouldBe("MetricsStack");
            owner.Name.ShouldBe(stack.Metadata.Name);
            owner.Uid.ShouldBe(stack.Metadata.Uid);
            owner.Controller.ShouldBe(true);
            owner.BlockOwnerDeletion.ShouldBe(true);
        }
    }

    [Fact]
    public void With_deletion_policy_Delete_the_Grafana_claim_is_owned_and_the_InfluxDB_claim_is_marked_for_the_finalizer()
    {
        var objects = StackBuilder.Build(DefaultedStack.Of(Stacks.Variant("delete-policy")));

        objects.OfType<V1PersistentVolumeClaim>().ShouldHaveSingleItem().Metadata.OwnerReferences.ShouldHaveSingleItem();
        var influx = objects.OfType<V1StatefulSet>().Single(s => s.Metadata.Name == "metrics-influxdb");
        influx.Spec.VolumeClaimTemplates.ShouldHaveSingleItem().Metadata.Annotations[InfluxDbBuilder.DeletionPolicyAnnotation].ShouldBe("Delete");
    }

    [Theory]
    [MemberData(nameof(Stacks.Variants), MemberType = typeof(Stacks))]
    public void Every_object_has_the_recommended_labels_in_the_stack_namespace(string variant)
    {
        var stack = Stacks.Variant(variant);
        foreach (var item in StackBuilder.Build(DefaultedStack.Of(stack)))
        {
            var labels = item.Metadata.Labels;
            item.Metadata.NamespaceProperty.ShouldBe(Stacks.Namespace, Stacks.Key(item));
            labels[StackLabels.ManagedBy].ShouldBe("metrics-operator", Stacks.Key(item));
            labels[StackLabels.PartOf].ShouldBe("metrics-stack", Stacks.Key(item));
            labels[StackLabels.Stack].ShouldBe(stack.Metadata.Name, Stacks.Key(item));
            labels.ShouldContainKey(StackLabels.Name, Stacks.Key(item));
            labels.ShouldContainKey(StackLabels.Component, Stacks.Key(item));
            if (item is V1PersistentVolumeClaim)
            {
                labels.ShouldNotContainKey(StackLabels.Instance, "an unowned claim with Argo CD's tracking label could be pruned");
            }
            else
            {
                labels[StackLabels.Instance].ShouldBe(stack.Metadata.Name, Stacks.Key(item));
            }

            item.Metadata.Name.ShouldStartWith(stack.Metadata.Name + "-");
        }
    }

    [Fact]
    public void Argo_CD_tracking_labels_and_annotations_of_the_stack_are_never_copied()
    {
        var stack = Stacks.FullSample();
        stack.Metadata.Labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/instance"] = "argo-app-metrics",
            ["argocd.argoproj.io/instance"] = "argo-app-metrics",
            ["team"] = "square",
        };
        stack.Metadata.Annotations = new Dictionary<string, string>
        {
            ["argocd.argoproj.io/tracking-id"] = "argo-app-metrics:metrics.lsst.io/MetricsStack:metrics/metrics",
            ["argocd.argoproj.io/sync-options"] = "Prune=false",
            ["kubectl.kubernetes.io/last-applied-configuration"] = "{}",
        };

        var rendered = StackManifests.Write(StackBuilder.Build(DefaultedStack.Of(stack)));

        rendered.ShouldNotContain("argocd.argoproj.io");
        rendered.ShouldNotContain("argo-app-metrics");
        rendered.ShouldNotContain("last-applied-configuration");
        // The instance label is the operator's (the stack name), not the CR's.
        StackBuilder.Build(DefaultedStack.Of(stack)).ShouldAllBe(o => o is V1PersistentVolumeClaim || o.Metadata.Labels[StackLabels.Instance] == "metrics");
    }

    [Fact]
    public void Object_names_derive_from_the_stack_name_and_are_unique_per_kind()
    {
        var stack = Stacks.FullSample();
        stack.Metadata.Name = "idfdev";

        var keys = StackBuilder.Build(DefaultedStack.Of(stack)).Select(Stacks.Key).ToList();

        keys.ShouldBeUnique();
        keys.ShouldContain("StatefulSet/idfdev-influxdb");
        keys.ShouldContain("Service/idfdev-telegraf");
        keys.ShouldContain("ConfigMap/idfdev-telegraf-config");
        keys.ShouldContain("Deployment/idfdev-grafana");
        StackNames.InfluxDbAdminSecret(stack).ShouldBe("influxdb-admin", "the sample names an existing admin Secret");
        StackNames.InfluxDbAdminSecret(Stacks.MinimalSample()).ShouldBe("metrics-influxdb-admin");
        StackNames.TelegrafTokenSecret(stack).ShouldBe("idfdev-telegraf-token");
        StackNames.GrafanaTokenSecret(stack).ShouldBe("idfdev-grafana-token");
    }

    [Fact]
    public void Selectors_of_workloads_match_their_pod_templates_and_services_select_them()
    {
        var objects = StackBuilder.Build(DefaultedStack.Of(Stacks.FullSample()));
        var templates = Stacks.PodTemplates(objects).ToList();

        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            deployment.Spec.Selector.MatchLabels.ShouldBeSubsetOf(deployment.Spec.Template.Metadata.Labels);
        }

        foreach (var statefulSet in objects.OfType<V1StatefulSet>())
        {
            statefulSet.Spec.Selector.MatchLabels.ShouldBeSubsetOf(statefulSet.Spec.Template.Metadata.Labels);
        }

        foreach (var service in objects.OfType<V1Service>())
        {
            templates.Count(t => service.Spec.Selector.ShouldBeSubsetOfOrFalse(t.Template.Metadata.Labels))
                .ShouldBe(1, $"Service/{service.Metadata.Name} selects exactly one workload");
        }
    }
}

internal static class LabelAssertions
{
    public static void ShouldBeSubsetOf(this IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.ShouldAllBe(pair => labels.ContainsKey(pair.Key) && labels[pair.Key] == pair.Value);

    public static bool ShouldBeSubsetOfOrFalse(this IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
}

using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

public class PodSecurityTests
{
    [Theory]
    [MemberData(nameof(Stacks.Variants), MemberType = typeof(Stacks))]
    public void Every_pod_and_container_runs_restricted(string variant)
    {
        var templates = Stacks.PodTemplates(StackBuilder.Build(DefaultedStack.Of(Stacks.Variant(variant)))).ToList();
        templates.ShouldNotBeEmpty();

        foreach (var (workload, template) in templates)
        {
            var pod = template.Spec.SecurityContext.ShouldNotBeNull(workload);
            pod.RunAsNonRoot.ShouldBe(true, workload);
            pod.RunAsUser.ShouldNotBeNull(workload).ShouldBeGreaterThan(0);
            pod.SeccompProfile.ShouldNotBeNull(workload).Type.ShouldBe("RuntimeDefault");
            template.Spec.AutomountServiceAccountToken.ShouldBe(false, workload);

            foreach (var container in template.Spec.Containers.Concat(template.Spec.InitContainers ?? []))
            {
                var where = $"{workload} container {container.Name}";
                var security = container.SecurityContext.ShouldNotBeNull(where);
                security.AllowPrivilegeEscalation.ShouldBe(false, where);
                security.Privileged.ShouldNotBe(true, where);
                security.RunAsNonRoot.ShouldBe(true, where);
                security.ReadOnlyRootFilesystem.ShouldBe(true, where);
                security.Capabilities.ShouldNotBeNull(where).Drop.ShouldBe(["ALL"], where);
                security.Capabilities.Add.ShouldBeNull(where);
                security.SeccompProfile.ShouldNotBeNull(where).Type.ShouldBe("RuntimeDefault");
                container.VolumeMounts.ShouldContain(m => m.MountPath == "/tmp", $"{where}: a read-only root needs a writable /tmp");
                foreach (var part in new[] { container.Resources.Requests, container.Resources.Limits })
                {
                    part.ShouldNotBeNull(where).Keys.ShouldContain("memory", where);
                }
            }
        }
    }

    [Fact]
    public void Each_image_runs_as_the_user_it_was_built_for()
    {
        var users = Stacks.PodTemplates(StackBuilder.Build(DefaultedStack.Of(Stacks.FullSample())))
            .ToDictionary(t => t.Workload, t => (t.Template.Spec.SecurityContext.RunAsUser, t.Template.Spec.Containers.Single().SecurityContext.RunAsUser));

        users["StatefulSet/metrics-influxdb"].ShouldBe((1000L, 1000L));
        users["StatefulSet/metrics-telegraf"].ShouldBe((999L, 999L));
        users["Deployment/metrics-grafana"].ShouldBe((472L, 472L));
    }

    [Fact]
    public void Defaults_apply_when_the_spec_gives_no_resources_and_the_spec_wins_when_it_does()
    {
        var minimal = StackBuilder.Build(DefaultedStack.Of(Stacks.MinimalSample()));
        Container(minimal, "metrics-influxdb").Resources.Limits["memory"].ShouldBe(new ResourceQuantity("4Gi"));
        Container(minimal, "metrics-telegraf").Resources.Requests["cpu"].ShouldBe(new ResourceQuantity("100m"));

        var custom = StackBuilder.Build(DefaultedStack.Of(Stacks.MinimalSampleWith(spec => spec.Telegraf!.Resources = new ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["memory"] = new("1Gi") },
        })));
        var telegraf = Container(custom, "metrics-telegraf").Resources;
        telegraf.Requests.ShouldHaveSingleItem().Value.ShouldBe(new ResourceQuantity("1Gi"));
        telegraf.Limits.ShouldBeNull("a given request is never paired with a smaller default limit");
    }

    private static V1Container Container(IEnumerable<k8s.IKubernetesObject<V1ObjectMeta>> objects, string workload) =>
        Stacks.PodTemplates(objects).Single(t => t.Workload.EndsWith("/" + workload, StringComparison.Ordinal)).Template.Spec.Containers.Single();
}

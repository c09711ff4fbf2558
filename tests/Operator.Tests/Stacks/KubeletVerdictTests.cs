using k8s.Models;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.TestSupport.Kubelet;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

/// <summary>
/// Every workload the builders render would be started by a kubelet on a cluster enforcing the restricted Pod Security
/// profile, once the Secrets and ConfigMaps it references exist: no probe names an undeclared port, no mount a missing
/// volume, no container breaks the profile (the 1.20 test API server enforces none of this).
/// </summary>
public sealed class KubeletVerdictTests
{
    public static TheoryData<string> Variants() => Stacks.Variants();

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_rendered_workload_would_start_when_what_it_references_exists(string variant)
    {
        var stack = Stacks.Variant(variant);
        foreach (var workload in StackBuilder.Build(DefaultedStack.Of(stack)))
        {
            // A StatefulSet's pod also has its claim templates' volumes, on claims its controller makes.
            var (spec, claims) = workload switch
            {
                V1Deployment d => (d.Spec.Template.Spec, new HashSet<string>()),
                V1StatefulSet s => (StatefulSetPods.Spec(s, 0), (s.Spec.VolumeClaimTemplates ?? []).Select(t => StatefulSetPods.ClaimName(t.Metadata.Name, s.Metadata.Name, 0)).ToHashSet()),
                _ => (null, []),
            };
            if (spec is null)
            {
                continue;
            }

            var everything = new PodReferences(
                name => new V1Secret { Metadata = new V1ObjectMeta { Name = name }, Data = AllKeys(spec).ToDictionary(k => k, _ => "x"u8.ToArray()) },
                name => new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name }, Data = AllKeys(spec).ToDictionary(k => k, _ => "x") },
                _ => true,
                name => name == "default");

            var verdict = PodStartCheck.Check($"{workload.Metadata.Name}-0", "metrics", spec, everything, claims);

            verdict.Stage.ShouldBe(PodStage.Ready, $"{variant}: {workload.Kind} {workload.Metadata.Name}: {verdict.Message}");
        }
    }

    private static IEnumerable<string> AllKeys(V1PodSpec spec) =>
        (spec.InitContainers ?? []).Concat(spec.Containers).SelectMany(c => (c.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Key ?? e.ValueFrom?.ConfigMapKeyRef?.Key))
            .Concat((spec.Volumes ?? []).SelectMany(v => (v.Secret?.Items ?? []).Concat(v.ConfigMap?.Items ?? []).Select(i => i.Key)))
            .OfType<string>().Distinct();
}

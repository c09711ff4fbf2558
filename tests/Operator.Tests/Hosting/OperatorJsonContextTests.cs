using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Hosting;
using MetricsOperator.Runtime.Json;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Tests.Hosting;

/// <summary>
/// OperatorJsonContext is what a trimmed or Native AOT operator serialises Kubernetes objects with: it must cover
/// every kind the operator reads or writes, and write each byte for byte as KubernetesClient's reflection-based
/// KubernetesJson did (applied-object hashes, status patches and the API server's view stay the same).
/// </summary>
public class OperatorJsonContextTests
{
    // The contexts alone, no reflection: what a trimmed or AOT binary resolves.
    private static readonly System.Text.Json.JsonSerializerOptions ContextsOnly = KubeJson.ContextsOnly;

    public static TheoryData<string> Samples() => new() { "full", "minimal" };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_object_a_stack_is_made_of_serialises_as_KubernetesJson_does(string sample)
    {
        var stack = sample == "full" ? Stacks.Stacks.FullSample() : Stacks.Stacks.MinimalSample();
        var objects = StackBuilder.Build(stack, StackBuildOptions.Default);
        objects.Count.ShouldBeGreaterThan(3);

        foreach (var o in objects.Cast<object>().Append(stack))
        {
            ContextsOnly.GetTypeInfo(o.GetType()).ShouldNotBeNull(o.GetType().Name);
            KubeJson.Serialize(o).ShouldBe(KubernetesJson.Serialize(o), $"{o.GetType().Name} {((IMetadata<V1ObjectMeta>)o).Metadata.Name}");
        }
    }

    [Fact]
    public void Every_kind_the_operator_watches_or_reads_is_covered()
    {
        Type[] kinds =
        [
            typeof(V1Alpha1MetricsStack), typeof(V1Alpha1AppAlert), typeof(V1Secret), typeof(V1StatefulSet), typeof(V1PersistentVolumeClaim),
            typeof(V1Deployment), typeof(V1Namespace), typeof(V1Job), typeof(V1StorageClass), typeof(V1Service), typeof(V1Pod),
            typeof(V1NetworkPolicy), typeof(V1Ingress), typeof(V1ConfigMap), typeof(V1ServiceAccount), typeof(V1Lease), typeof(Corev1Event),
        ];

        foreach (var kind in kinds)
        {
            ContextsOnly.GetTypeInfo(kind).ShouldNotBeNull(kind.Name);
        }
    }

    [Fact]
    public void An_AppAlert_round_trips_through_the_context_as_through_KubernetesJson()
    {
        var json = """
            {"apiVersion":"metrics.lsst.io/v1alpha1","kind":"AppAlert","metadata":{"name":"a","namespace":"app","creationTimestamp":"2026-12-02T07:00:00Z"},
             "spec":{"stack":{"namespace":"metrics","name":"metrics"},"rules":[{"name":"r","query":{"language":"influxql","text":"SELECT mean(v) FROM m WHERE $timeFilter GROUP BY time(1m)"},"condition":{"reducer":"mean","operator":"gt","threshold":5},"for":"5m","severity":"critical"}]},
             "status":{"syncedCount":1,"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-12-02T07:00:01Z","reason":"Synced","message":"ok"}]}}
            """;

        var ours = KubeJson.Deserialize<V1Alpha1AppAlert>(json)!;
        var theirs = KubernetesJson.Deserialize<V1Alpha1AppAlert>(json);

        KubeJson.Serialize(ours).ShouldBe(KubernetesJson.Serialize(theirs));
        KubeJson.Serialize(ours).ShouldContain("\"severity\":\"critical\"");
    }
}

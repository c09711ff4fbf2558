using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Stacks;

/// <summary>MetricsStacks the tests build from: the repository's samples and small variations made in code.</summary>
internal static class Stacks
{
    public const string Namespace = "metrics";

    /// <summary>config/samples/metrics.lsst.io_v1alpha1_metricsstack.yaml: every section filled in (Kafka, disk buffer, SASL, TLS).</summary>
    public static V1Alpha1MetricsStack FullSample() => Sample("metrics.lsst.io_v1alpha1_metricsstack.yaml");

    /// <summary>config/samples/metrics.lsst.io_v1alpha1_metricsstack_minimal.yaml: an empty spec, all defaults.</summary>
    public static V1Alpha1MetricsStack MinimalSample() => Sample("metrics.lsst.io_v1alpha1_metricsstack_minimal.yaml");

    public static string SamplePath(string file) => RepoPaths.InRepo("config", "samples", file);

    public static V1Alpha1MetricsStack Sample(string file)
    {
        using var reader = new StreamReader(SamplePath(file));
        var stack = StackManifests.Read(reader).Stacks.ShouldHaveSingleItem();
        stack.Metadata.NamespaceProperty ??= Namespace;
        // As the API server would give it: the reconciler always sees a uid.
        stack.Metadata.Uid = "6f1c1a4e-0000-4000-8000-000000000001";
        return stack;
    }

    /// <summary>The full sample with an edit applied to a defaulted copy.</summary>
    public static V1Alpha1MetricsStack FullSampleWith(Action<MetricsStackSpec> edit)
    {
        var stack = SchemaDefaults.Applied(FullSample());
        edit(stack.Spec);
        return stack;
    }

    /// <summary>The minimal sample with an edit applied to a defaulted copy.</summary>
    public static V1Alpha1MetricsStack MinimalSampleWith(Action<MetricsStackSpec> edit)
    {
        var stack = SchemaDefaults.Applied(MinimalSample());
        edit(stack.Spec);
        return stack;
    }

    /// <summary>Several shapes of stack, so invariants are checked on more than one object set.</summary>
    public static TheoryData<string> Variants() => new(VariantBuilders.Keys.Order(StringComparer.Ordinal));

    public static V1Alpha1MetricsStack Variant(string name) => VariantBuilders[name]();

    private static readonly Dictionary<string, Func<V1Alpha1MetricsStack>> VariantBuilders = new()
    {
        ["full"] = FullSample,
        ["minimal"] = MinimalSample,
        ["external-grafana"] = () => MinimalSampleWith(spec =>
        {
            spec.Environment = "summit";
            spec.Grafana!.Mode = GrafanaMode.External;
        }),
        ["delete-policy"] = () => FullSampleWith(spec => spec.InfluxDb!.DeletionPolicy = DeletionPolicy.Delete),
        ["dashboard-cache-memory"] = () => WithDashboardCache(DashboardCacheKind.Memory),
        ["dashboard-cache-bbolt"] = () => WithDashboardCache(DashboardCacheKind.Bbolt),
    };

    /// <summary>The full sample with the dashboard cache on, of <paramref name="kind"/> (defaults applied).</summary>
    public static V1Alpha1MetricsStack WithDashboardCache(DashboardCacheKind kind) =>
        SchemaDefaults.Applied(FullSampleWith(spec => spec.Grafana!.Cache = new DashboardCacheSpec { Enabled = true, Kind = kind }));

    public static IEnumerable<T> OfType<T>(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects) => objects.OfType<T>();

    /// <summary>Every pod template in the object set, with the name of its workload.</summary>
    public static IEnumerable<(string Workload, V1PodTemplateSpec Template)> PodTemplates(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects)
    {
        foreach (var item in objects)
        {
            switch (item)
            {
                case V1Deployment deployment:
                    yield return ($"Deployment/{deployment.Metadata.Name}", deployment.Spec.Template);
                    break;
                case V1StatefulSet statefulSet:
                    yield return ($"StatefulSet/{statefulSet.Metadata.Name}", statefulSet.Spec.Template);
                    break;
            }
        }
    }

    public static string Key(IKubernetesObject<V1ObjectMeta> item) => $"{item.Kind}/{item.Metadata.Name}";
}

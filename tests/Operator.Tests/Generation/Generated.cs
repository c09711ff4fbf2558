using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Generation;

namespace MetricsOperator.Tests.Generation;

/// <summary>The CRDs as the generator makes them now, in memory.</summary>
internal static class Generated
{
    private static readonly Lazy<IReadOnlyList<V1CustomResourceDefinition>> AllCrds = new(() =>
    [
        .. CrdGenerator.Generate(
                CrdGenerator.KindsIn(typeof(V1Alpha1MetricsStack).Assembly),
                XmlDocumentation.LoadBeside(typeof(V1Alpha1MetricsStack).Assembly))
            .Select(manifest => (V1CustomResourceDefinition)manifest.Document),
    ]);

    public static IReadOnlyList<V1CustomResourceDefinition> Crds => AllCrds.Value;

    public static V1CustomResourceDefinition Crd(string kind) => Crds.Single(crd => crd.Spec.Names.Kind == kind);

    public static V1JSONSchemaProps Schema(string kind) => Crd(kind).Spec.Versions.Single().Schema.OpenAPIV3Schema;

    /// <summary>The schema at a dotted path such as <c>spec.rules[].condition.operator</c>.</summary>
    public static V1JSONSchemaProps At(string kind, string path)
    {
        var schema = Schema(kind);
        foreach (var part in path.Split('.'))
        {
            var name = part.EndsWith("[]", StringComparison.Ordinal) ? part[..^2] : part;
            schema = schema.Properties[name];
            if (part.EndsWith("[]", StringComparison.Ordinal))
            {
                schema = (V1JSONSchemaProps)schema.Items;
            }
        }

        return schema;
    }

    /// <summary>Every schema node under <paramref name="schema"/> with its path, the root included.</summary>
    public static IEnumerable<(string Path, V1JSONSchemaProps Schema)> Walk(V1JSONSchemaProps schema, string path = "")
    {
        yield return (path, schema);
        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, V1JSONSchemaProps>())
        {
            foreach (var node in Walk(property, path.Length == 0 ? name : $"{path}.{name}"))
            {
                yield return node;
            }
        }

        if (schema.Items is V1JSONSchemaProps items)
        {
            foreach (var node in Walk(items, path + "[]"))
            {
                yield return node;
            }
        }

        if (schema.AdditionalProperties is V1JSONSchemaProps values)
        {
            foreach (var node in Walk(values, path + "{}"))
            {
                yield return node;
            }
        }
    }
}

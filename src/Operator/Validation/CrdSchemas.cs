using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Generation;

namespace MetricsOperator.Validation;

/// <summary>
/// The OpenAPI v3 schema of each kind, made in memory by the generator that writes config/crd (a test fails when the
/// committed CRDs drift from it), so the published binary checks against exactly what the API server enforces
/// without shipping or finding config/crd.
/// </summary>
public static class CrdSchemas
{
    // The generator insists on a description for every field (kubectl explain shows them), so it reads the XML
    // documentation beside the API assembly, as `generate crds` does.
    private static readonly Lazy<IReadOnlyDictionary<string, V1JSONSchemaProps>> ByKind = new(() =>
        CrdGenerator.Generate(
                CrdGenerator.KindsIn(typeof(V1Alpha1MetricsStack).Assembly),
                XmlDocumentation.LoadBeside(typeof(V1Alpha1MetricsStack).Assembly))
            .Select(manifest => (V1CustomResourceDefinition)manifest.Document)
            .ToDictionary(crd => crd.Spec.Names.Kind, crd => crd.Spec.Versions.Single().Schema.OpenAPIV3Schema, StringComparer.Ordinal));

    /// <summary>The schema of <paramref name="kind"/> in <c>metrics.lsst.io/v1alpha1</c>, or null for a kind the operator does not define.</summary>
    public static V1JSONSchemaProps? For(string kind) => ByKind.Value.GetValueOrDefault(kind);
}

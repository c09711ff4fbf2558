using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using k8s;
using k8s.Models;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Generation;

/// <summary>
/// Generates the CustomResourceDefinitions from the API types, as controller-gen does from Go types: one CRD
/// per kind, a structural OpenAPI v3 schema with no CEL (the API server may be as old as 1.20), the status
/// subresource, printer columns and short names. Pure: types and documentation in, documents out.
/// </summary>
public static class CrdGenerator
{
    /// <summary>The kinds in <paramref name="apiAssembly"/>: classes with [KubernetesEntity] that have a spec.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimJustifications.ApiTypesRooted)]
    public static IReadOnlyList<Type> KindsIn(Assembly apiAssembly)
    {
        ArgumentNullException.ThrowIfNull(apiAssembly);
        return
        [
            .. apiAssembly.GetExportedTypes()
                .Where(type => type.GetCustomAttribute<KubernetesEntityAttribute>() is not null)
                .Where(type => SpecType(type) is not null)
                .OrderBy(type => type.GetCustomAttribute<KubernetesEntityAttribute>()!.PluralName, StringComparer.Ordinal),
        ];
    }

    /// <summary>One CRD per kind, named <c>{group}_{plural}.yaml</c> as kubebuilder names them.</summary>
    public static IReadOnlyList<GeneratedManifest> Generate(IEnumerable<Type> kinds, XmlDocumentation documentation)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        var schemas = new SchemaBuilder(documentation);
        return
        [
            .. kinds.Select(kind =>
            {
                var crd = ForKind(kind, schemas);
                return new GeneratedManifest($"{crd.Spec.Group}_{crd.Spec.Names.Plural}.yaml", crd);
            }),
        ];
    }

    private static V1CustomResourceDefinition ForKind(Type kind, SchemaBuilder schemas)
    {
        var entity = kind.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new InvalidOperationException($"{kind.Name} has no [KubernetesEntity].");

        return new V1CustomResourceDefinition
        {
            ApiVersion = "apiextensions.k8s.io/v1",
            Kind = "CustomResourceDefinition",
            Metadata = new V1ObjectMeta { Name = $"{entity.PluralName}.{entity.Group}" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = entity.Group,
                Names = new V1CustomResourceDefinitionNames
                {
                    Kind = entity.Kind,
                    ListKind = entity.Kind + "List",
                    Plural = entity.PluralName,
                    Singular = entity.Kind.ToLowerInvariant(),
                    ShortNames = ShortNames(kind),
                },
                Scope = "Namespaced",
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = entity.ApiVersion,
                        Served = true,
                        Storage = true,
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = schemas.ForKind(kind) },
                        Subresources = StatusType(kind) is null
                            ? null
                            : new V1CustomResourceSubresources { Status = new Dictionary<string, object>() },
                        AdditionalPrinterColumns = PrinterColumns(kind),
                    },
                ],
            },
        };
    }

    private static List<string>? ShortNames(Type kind)
    {
        var names = kind.GetCustomAttributes<ShortNameAttribute>().Select(attribute => attribute.Name).Order(StringComparer.Ordinal).ToList();
        return names.Count > 0 ? names : null;
    }

    private static List<V1CustomResourceColumnDefinition>? PrinterColumns(Type kind)
    {
        var columns = kind.GetCustomAttributes<PrinterColumnAttribute>()
            .OrderBy(column => column.Order)
            .Select(column => new V1CustomResourceColumnDefinition
            {
                Name = column.Name,
                Type = column.Type,
                JsonPath = column.JsonPath,
                Description = column.Description,
                Priority = column.Priority == 0 ? null : column.Priority,
            })
            .ToList();
        return columns.Count > 0 ? columns : null;
    }

    private static Type? SpecType(Type kind) => InterfaceArgument(kind, typeof(ISpec<>));

    private static Type? StatusType(Type kind) => InterfaceArgument(kind, typeof(IStatus<>));

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = TrimJustifications.ApiTypesRooted)]
    private static Type? InterfaceArgument(Type type, Type openGeneric) =>
        type.GetInterfaces()
            .FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == openGeneric)
            ?.GetGenericArguments()[0];
}

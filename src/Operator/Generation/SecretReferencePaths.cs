using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using MetricsOperator.Crds;

namespace MetricsOperator.Generation;

/// <summary>
/// Where a MetricsStack spec names a Secret: every property, at any depth, typed <see cref="SecretReference"/> or
/// <see cref="SecretKeySelector"/>, found by reflection over the API types so a field added to them is found without
/// a list to keep. Each path is the JSON names from the spec down to the reference, a list marked by <c>[]</c>
/// (e.g. <c>grafana.contactPoints[].secretRef</c>). Pure.
/// </summary>
public static class SecretReferencePaths
{
    /// <summary>The paths, in declaration order, under <paramref name="specType"/> (e.g. <see cref="MetricsStackSpec"/>).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> In(Type specType)
    {
        ArgumentNullException.ThrowIfNull(specType);
        var paths = new List<IReadOnlyList<string>>();
        Walk(specType, [], paths, []);
        return paths;
    }

    /// <summary>Whether a property of this type names a Secret.</summary>
    public static bool IsSecretReference(Type type) => Unwrap(type) is var bare && (bare == typeof(SecretReference) || bare == typeof(SecretKeySelector));

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = TrimJustifications.ApiTypesRooted)]
    private static void Walk(Type type, List<string> path, List<IReadOnlyList<string>> paths, HashSet<Type> visiting)
    {
        if (!visiting.Add(type))
        {
            return; // a recursive type would never end; the API types have none
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            var name = SchemaBuilder.JsonName(property);
            var propertyType = Unwrap(property.PropertyType);
            var element = ListElement(propertyType);
            if (IsSecretReference(propertyType))
            {
                paths.Add([.. path, name]);
            }
            else if (element is not null && IsSecretReference(element))
            {
                paths.Add([.. path, name + "[]"]);
            }
            else if (element is not null && IsApiType(element))
            {
                Walk(element, [.. path, name + "[]"], paths, visiting);
            }
            else if (IsApiType(propertyType))
            {
                Walk(propertyType, [.. path, name], paths, visiting);
            }
        }

        visiting.Remove(type);
    }

    private static Type Unwrap(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    private static bool IsApiType(Type type) => type.IsClass && type.Assembly == typeof(SecretReference).Assembly;

    private static Type? ListElement(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var generic && (generic == typeof(IList<>) || generic == typeof(List<>))
            ? type.GetGenericArguments()[0]
            : null;
}

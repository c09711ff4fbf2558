using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using MetricsOperator.Crds.Schema;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Stacks;

/// <summary>
/// Fills in what the API server would: the <see cref="DefaultAttribute"/> and <see cref="DefaultEmptyObjectAttribute"/>
/// values the CRD generator writes into the schema. The reconciler reads objects the server has already
/// defaulted; <c>render</c> and the builders' tests have no server, so they default here from the same attributes.
/// </summary>
public static class SchemaDefaults
{
    /// <summary>A deep copy of <paramref name="stack"/> with every left-out field that has a schema default filled in.</summary>
    public static V1Alpha1MetricsStack Applied(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var copy = KubeJson.Deserialize<V1Alpha1MetricsStack>(KubeJson.Serialize(stack))!;
        copy.Spec ??= new MetricsStackSpec();
        Fill(copy.Spec);
        return copy;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The API types' assembly is rooted in every trimmed build (Operator.csproj): their properties, attributes, constructors and enum fields are kept.")]
    private static void Fill(object section)
    {
        foreach (var property in section.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanRead || !property.CanWrite || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var value = property.GetValue(section);
            if (value is null)
            {
                value = DefaultFor(property);
                if (value is not null)
                {
                    property.SetValue(section, value);
                }
            }

            switch (value)
            {
                case null or string:
                    break;
                case IEnumerable items:
                    foreach (var item in items)
                    {
                        if (item is not null && IsApiSection(item.GetType()))
                        {
                            Fill(item);
                        }
                    }

                    break;
                default:
                    if (IsApiSection(value.GetType()))
                    {
                        Fill(value);
                    }

                    break;
            }
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The API types' assembly is rooted in every trimmed build (Operator.csproj): their properties, attributes, constructors and enum fields are kept.")]
    private static object? DefaultFor(PropertyInfo property)
    {
        if (property.GetCustomAttribute<DefaultEmptyObjectAttribute>() is not null)
        {
            return Activator.CreateInstance(property.PropertyType);
        }

        return property.GetCustomAttribute<DefaultAttribute>() is { } attribute
            ? Convert(attribute.Value, Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType)
            : null;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The API types' assembly is rooted in every trimmed build (Operator.csproj): their properties, attributes, constructors and enum fields are kept.")]
    private static object Convert(object value, Type type)
    {
        if (type == typeof(ResourceQuantity))
        {
            return new ResourceQuantity((string)value);
        }

        if (type.IsEnum)
        {
            var text = (string)value;
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var jsonName = field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? field.Name;
                if (jsonName == text)
                {
                    return field.GetValue(null)!;
                }
            }

            throw new InvalidOperationException($"Default '{text}' is not a value of {type.Name}.");
        }

        return System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
    }

    private static bool IsApiSection(Type type) => type.IsClass && type.Assembly == typeof(MetricsStackSpec).Assembly;
}

using System.Collections;
using System.Collections.Concurrent;
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
    private static readonly ConcurrentDictionary<Type, FieldPlan[]> Plans = new();

    /// <summary>A deep copy of <paramref name="stack"/> with every left-out field that has a schema default filled in.</summary>
    public static V1Alpha1MetricsStack Applied(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var copy = KubeJson.Deserialize<V1Alpha1MetricsStack>(KubeJson.Serialize(stack))!;
        copy.Spec ??= new MetricsStackSpec();
        Fill(copy.Spec);
        return copy;
    }

    /// <summary>A new <typeparamref name="T"/> with its schema defaults filled in: what an optional section left out reads as.</summary>
    public static T NewSection<T>()
        where T : class, new()
    {
        var section = new T();
        Fill(section);
        return section;
    }

    private static void Fill(object section)
    {
        foreach (var field in PlanFor(section.GetType()))
        {
            var value = field.Property.GetValue(section);
            if (value is null && field.Default is { } makeDefault)
            {
                value = makeDefault();
                field.Property.SetValue(section, value);
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

    /// <summary>
    /// The settable properties of an API section and how to make each one's default, read from the attributes once per
    /// type. Every AppAlert reconcile defaults its stack, and under Native AOT an attribute lookup decodes type names
    /// from metadata: asked on every call, an idle AppAlert reconcile allocated 370 KiB, now 288 (docs/performance.md,
    /// eleventh pass).
    /// </summary>
    private static FieldPlan[] PlanFor(Type type) => Plans.GetOrAdd(type, MakePlan);

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The API types' assembly is rooted in every trimmed build (Operator.csproj): their properties, attributes, constructors and enum fields are kept.")]
    private static FieldPlan[] MakePlan(Type type) =>
    [
        .. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0)
            .Select(p => new FieldPlan(p, DefaultFor(p))),
    ];

    /// <summary>A property and the maker of its schema default, null when it has none.</summary>
    private sealed record FieldPlan(PropertyInfo Property, Func<object?>? Default);

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The API types' assembly is rooted in every trimmed build (Operator.csproj): their properties, attributes, constructors and enum fields are kept.")]
    private static Func<object?>? DefaultFor(PropertyInfo property)
    {
        if (property.GetCustomAttribute<DefaultEmptyObjectAttribute>() is not null)
        {
            // A new object each time: the copies must not share one.
            var type = property.PropertyType;
            return () => Activator.CreateInstance(type);
        }

        if (property.GetCustomAttribute<DefaultAttribute>() is not { } attribute)
        {
            return null;
        }

        var target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (target == typeof(ResourceQuantity))
        {
            // Mutable: made for each copy, as above.
            var text = (string)attribute.Value;
            return () => new ResourceQuantity(text);
        }

        // Strings, numbers, booleans and enum values are immutable: converted once, the same boxed value each time.
        var value = Convert(attribute.Value, target);
        return () => value;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The API types' assembly is rooted in every trimmed build (Operator.csproj): their properties, attributes, constructors and enum fields are kept.")]
    private static object Convert(object value, Type type)
    {
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

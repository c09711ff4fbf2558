using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using MetricsOperator.Crds;
using MetricsOperator.Crds.Schema;
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
        var copy = MetricsOperator.Runtime.Cache.ObjectCopy.Clone(stack);
        copy.Spec ??= new MetricsStackSpec();
        Fill(copy.Spec);
        return copy;
    }

    // Walks the JSON metadata of the API types (source-generated, OperatorJsonContext) rather than reflecting over
    // them: the same properties the API server sees, and nothing a trimmed or AOT binary would have removed.
    private static void Fill(object section)
    {
        foreach (var property in KubeJson.Options.GetTypeInfo(section.GetType()).Properties)
        {
            if (property.Get is not { } get || property.Set is not { } set)
            {
                continue;
            }

            var value = get(section);
            if (value is null)
            {
                value = DefaultFor(property);
                if (value is not null)
                {
                    set(section, value);
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

    private static object? DefaultFor(JsonPropertyInfo property)
    {
        var attributes = property.AttributeProvider;
        if (attributes is null)
        {
            return null;
        }

        var type = KubeJson.Options.GetTypeInfo(property.PropertyType);
        if (attributes.IsDefined(typeof(DefaultEmptyObjectAttribute), inherit: false))
        {
            return type.CreateObject?.Invoke() ?? throw new InvalidOperationException($"{property.PropertyType.Name} has no parameterless constructor for its empty-object default.");
        }

        // The default as the schema writes it, read as the API server would: through the type's own JSON form
        // (enum member names, quantities), so the two can never disagree.
        return attributes.GetCustomAttributes(typeof(DefaultAttribute), inherit: false) is [DefaultAttribute attribute, ..]
            ? JsonSerializer.Deserialize(Literal(attribute.Value), type)
            : null;
    }

    private static string Literal(object value) => value switch
    {
        string text => JsonSerializer.Serialize(text, KubeJsonLiterals.Default.String),
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"A schema default of type {value.GetType().Name} is not supported."),
    };

    private static bool IsApiSection(Type type) => type.IsClass && type.Assembly == typeof(MetricsStackSpec).Assembly;
}

/// <summary>JSON text of the literals schema defaults hold.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class KubeJsonLiterals : JsonSerializerContext;

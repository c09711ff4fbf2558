using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Generation;

/// <summary>
/// Turns an API type into a structural OpenAPI v3 schema: the C# type gives the shape, the attributes in
/// <c>MetricsOperator.Crds.Schema</c> the validation, the XML documentation the descriptions.
/// </summary>
internal sealed class SchemaBuilder(XmlDocumentation documentation)
{
    /// <summary>The schema of a whole object of an API kind: apiVersion, kind, metadata, spec, status.</summary>
    public V1JSONSchemaProps ForKind(Type entityType) => ForObject(entityType, Describe(entityType));

    private V1JSONSchemaProps ForProperty(PropertyInfo property)
    {
        var description = documentation.For(property)
            ?? throw new InvalidOperationException(
                $"{property.DeclaringType!.FullName}.{property.Name} has no <summary>: every field needs one, kubectl explain shows it.");

        var schema = ForType(property.PropertyType, description);
        ApplyValidation(property, schema);
        return schema;
    }

    private V1JSONSchemaProps ForType(Type type, string? description)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;

        if (underlying == typeof(string))
        {
            return new V1JSONSchemaProps { Description = description, Type = "string" };
        }

        if (underlying == typeof(bool))
        {
            return new V1JSONSchemaProps { Description = description, Type = "boolean" };
        }

        if (underlying == typeof(int))
        {
            return new V1JSONSchemaProps { Description = description, Type = "integer", Format = "int32" };
        }

        if (underlying == typeof(long))
        {
            return new V1JSONSchemaProps { Description = description, Type = "integer", Format = "int64" };
        }

        if (underlying == typeof(double))
        {
            return new V1JSONSchemaProps { Description = description, Type = "number" };
        }

        if (underlying == typeof(DateTime) || underlying == typeof(DateTimeOffset))
        {
            return new V1JSONSchemaProps { Description = description, Type = "string", Format = "date-time" };
        }

        if (underlying.IsEnum)
        {
            return new V1JSONSchemaProps { Description = description, Type = "string", EnumProperty = [.. EnumJsonNames(underlying)] };
        }

        if (underlying == typeof(ResourceQuantity))
        {
            return WellKnownSchemas.Quantity(description);
        }

        if (underlying == typeof(V1ObjectMeta))
        {
            return WellKnownSchemas.ObjectMeta();
        }

        if (underlying == typeof(V1Condition))
        {
            // Conditions appear only as list items: Kubernetes' own description of a condition reads best there.
            return WellKnownSchemas.Condition();
        }

        if (underlying == typeof(V1Toleration))
        {
            return WellKnownSchemas.Toleration();
        }

        if (underlying == typeof(V1Affinity))
        {
            return WellKnownSchemas.Affinity(description);
        }

        if (DictionaryValueType(underlying) is { } valueType)
        {
            return new V1JSONSchemaProps
            {
                Description = description,
                Type = "object",
                // The map itself carries the description; a value type only its own, if it has one.
                AdditionalProperties = ForType(valueType, Describe(valueType)),
            };
        }

        if (ListItemType(underlying) is { } itemType)
        {
            var list = new V1JSONSchemaProps { Description = description, Type = "array", Items = ForType(itemType, Describe(itemType) ?? description) };
            if (itemType == typeof(V1Condition))
            {
                // Conditions are keyed by type, as metav1.Condition's users agree (and as controller-gen writes).
                list.XKubernetesListType = "map";
                list.XKubernetesListMapKeys = ["type"];
            }

            return list;
        }

        if (underlying.IsClass && underlying.Namespace?.StartsWith("MetricsOperator.Crds", StringComparison.Ordinal) == true)
        {
            return ForObject(underlying, description);
        }

        throw new NotSupportedException($"The CRD generator has no schema for {underlying.FullName}; map it in {nameof(SchemaBuilder)}.");
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = TrimJustifications.ApiTypesRooted)]
    private V1JSONSchemaProps ForObject(Type type, string? description)
    {
        var properties = new Dictionary<string, V1JSONSchemaProps>();
        var required = new List<string>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonIgnoreAttribute>() is not null)
            {
                continue;
            }

            var name = JsonName(property);
            properties.Add(name, ForProperty(property));
            if (property.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(name);
            }
        }

        var schema = new V1JSONSchemaProps
        {
            Description = description,
            Type = "object",
            Properties = WellKnownSchemas.Sorted(properties),
            Required = required.Count > 0 ? [.. required.Order(StringComparer.Ordinal)] : null,
        };

        if (type.GetCustomAttribute<ExactlyOneOfAttribute>() is { } exactlyOne)
        {
            foreach (var name in exactlyOne.JsonNames.Where(name => !properties.ContainsKey(name)))
            {
                throw new InvalidOperationException($"[ExactlyOneOf] on {type.Name} names {name}, which is not one of its fields.");
            }

            schema.OneOf = [.. exactlyOne.JsonNames.Select(name => new V1JSONSchemaProps { Required = [name] })];
        }

        return schema;
    }

    private static void ApplyValidation(PropertyInfo property, V1JSONSchemaProps schema)
    {
        if (property.GetCustomAttribute<PatternAttribute>() is { } pattern)
        {
            schema.Pattern = pattern.Regex;
        }

        if (property.GetCustomAttribute<MinimumAttribute>() is { } minimum)
        {
            schema.Minimum = minimum.Value;
        }

        if (property.GetCustomAttribute<MaximumAttribute>() is { } maximum)
        {
            schema.Maximum = maximum.Value;
        }

        if (property.GetCustomAttribute<MinLengthAttribute>() is { } minLength)
        {
            schema.MinLength = minLength.Length;
        }

        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } maxLength)
        {
            schema.MaxLength = maxLength.Length;
        }

        if (property.GetCustomAttribute<MinItemsAttribute>() is { } minItems)
        {
            schema.MinItems = minItems.Count;
        }

        if (property.GetCustomAttribute<MaxItemsAttribute>() is { } maxItems)
        {
            schema.MaxItems = maxItems.Count;
        }

        if (property.GetCustomAttribute<ListMapAttribute>() is { } listMap)
        {
            schema.XKubernetesListType = "map";
            schema.XKubernetesListMapKeys = [.. listMap.Keys];
        }

        if (property.GetCustomAttribute<DefaultAttribute>() is { } defaultValue)
        {
            schema.DefaultProperty = defaultValue.Value switch
            {
                int number => (long)number,
                var other => other,
            };
        }

        if (property.GetCustomAttribute<DefaultEmptyObjectAttribute>() is not null)
        {
            if (schema.Required is { Count: > 0 })
            {
                throw new InvalidOperationException(
                    $"{property.DeclaringType!.Name}.{property.Name} defaults to {{}} but requires {string.Join(", ", schema.Required)}: the default would not validate.");
            }

            schema.DefaultProperty = new Dictionary<string, object>();
        }
    }

    private string? Describe(Type type) => documentation.For(Nullable.GetUnderlyingType(type) ?? type);

    /// <summary>The name a property has in JSON: its [JsonPropertyName], else camelCase as KubernetesJson writes it.</summary>
    public static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    /// <summary>The values an enum has in JSON: [JsonStringEnumMemberName] when given, else the member name.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = TrimJustifications.ApiTypesRooted)]
    public static IEnumerable<string> EnumJsonNames(Type enumType) =>
        enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
            .OrderBy(field => Convert.ToInt64(field.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture))
            .Select(field => field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? field.Name);

    private static Type? DictionaryValueType(Type type) =>
        GenericInterface(type, typeof(IDictionary<,>)) is { } dictionary && dictionary.GetGenericArguments()[0] == typeof(string)
            ? dictionary.GetGenericArguments()[1]
            : null;

    private static Type? ListItemType(Type type) =>
        type == typeof(string) ? null : GenericInterface(type, typeof(IEnumerable<>))?.GetGenericArguments()[0];

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = TrimJustifications.ApiTypesRooted)]
    private static Type? GenericInterface(Type type, Type openGeneric) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == openGeneric
            ? type
            : type.GetInterfaces().FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == openGeneric);
}

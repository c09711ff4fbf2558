using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;
using MetricsOperator.Stacks;

namespace MetricsOperator.Validation;

/// <summary>
/// Checks a JSON value against a generated structural schema, as strictly as the API server with strict field
/// validation (kubectl 1.27+): unknown fields are errors (the server would otherwise prune them silently), and so are
/// wrong types, enum values, patterns, bounds, missing required fields, duplicate list-map keys and broken oneOfs.
/// Errors name the field by its path, like the server's. Pure: value and schema in, errors out (empty when valid).
/// </summary>
public static class SchemaValidator
{
    /// <summary>The message of an unknown field's error; <see cref="Describe"/> words it as kubectl's strict decoding does.</summary>
    public const string UnknownField = "unknown field";

    /// <summary>Every error in <paramref name="value"/>, each naming its field by its path under <paramref name="path"/>.</summary>
    public static IReadOnlyList<FieldError> Validate(JsonNode? value, V1JSONSchemaProps schema, string path = "")
    {
        ArgumentNullException.ThrowIfNull(schema);
        var errors = new List<FieldError>();
        Check(value, schema, path, errors);
        return errors;
    }

    /// <summary>
    /// One error as a line: <c>unknown field "spec.foo"</c> as kubectl's strict decoding says it, any other as
    /// <c>field: message</c>.
    /// </summary>
    public static string Describe(FieldError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Message == UnknownField ? $"{UnknownField} \"{error.Field}\"" : error.ToString();
    }

    private static void Check(JsonNode? value, V1JSONSchemaProps schema, string path, List<FieldError> errors)
    {
        if (value is null)
        {
            errors.Add(new FieldError(path, "null is not allowed (no field is nullable)"));
            return;
        }

        if (schema.XKubernetesIntOrString == true)
        {
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                CheckString(v.GetValue<string>(), schema, path, errors);
            }
            else if (!(value is JsonValue n && n.GetValueKind() == JsonValueKind.Number && IsInteger(n)))
            {
                errors.Add(new FieldError(path, "must be an integer or a string"));
            }

            return;
        }

        switch (schema.Type)
        {
            case "object":
                CheckObject(value, schema, path, errors);
                break;
            case "array":
                CheckArray(value, schema, path, errors);
                break;
            case "string":
                if (value is JsonValue s && s.GetValueKind() == JsonValueKind.String)
                {
                    CheckString(s.GetValue<string>(), schema, path, errors);
                }
                else
                {
                    errors.Add(new FieldError(path, "must be a string"));
                }

                break;
            case "integer" or "number":
                if (value is JsonValue number && number.GetValueKind() == JsonValueKind.Number && (schema.Type == "number" || IsInteger(number)))
                {
                    var x = Number(number);
                    if (schema.Minimum is { } min && x < min)
                    {
                        errors.Add(new FieldError(path, $"{x} is below the minimum {min}"));
                    }

                    if (schema.Maximum is { } max && x > max)
                    {
                        errors.Add(new FieldError(path, $"{x} is above the maximum {max}"));
                    }
                }
                else
                {
                    errors.Add(new FieldError(path, $"must be {(schema.Type == "integer" ? "an integer" : "a number")}"));
                }

                break;
            case "boolean":
                if (value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add(new FieldError(path, "must be a boolean"));
                }

                break;
            default:
                errors.Add(new FieldError(path, "the schema has no type (not structural)"));
                break;
        }
    }

    private static void CheckObject(JsonNode value, V1JSONSchemaProps schema, string path, List<FieldError> errors)
    {
        if (value is not JsonObject map)
        {
            errors.Add(new FieldError(path, "must be an object"));
            return;
        }

        foreach (var required in schema.Required ?? [])
        {
            if (!map.ContainsKey(required))
            {
                errors.Add(new FieldError(Join(path, required), "Required value"));
            }
        }

        foreach (var (name, child) in map)
        {
            if (schema.Properties?.TryGetValue(name, out var property) == true)
            {
                Check(child, property, Join(path, name), errors);
            }
            else if (schema.AdditionalProperties is V1JSONSchemaProps values)
            {
                Check(child, values, Join(path, name), errors);
            }
            else if (schema.Properties is not null)
            {
                errors.Add(new FieldError(Join(path, name), UnknownField));
            }
        }

        if (schema.OneOf is { Count: > 0 } alternatives)
        {
            var matching = alternatives.Count(alternative => (alternative.Required ?? []).All(map.ContainsKey));
            if (matching != 1)
            {
                errors.Add(new FieldError(path, $"must set exactly one of {string.Join(", ", alternatives.SelectMany(a => a.Required ?? []))}"));
            }
        }
    }

    private static void CheckArray(JsonNode value, V1JSONSchemaProps schema, string path, List<FieldError> errors)
    {
        if (value is not JsonArray list)
        {
            errors.Add(new FieldError(path, "must be a list"));
            return;
        }

        if (schema.MinItems is { } minItems && list.Count < minItems)
        {
            errors.Add(new FieldError(path, $"must have at least {minItems} items"));
        }

        if (schema.MaxItems is { } maxItems && list.Count > maxItems)
        {
            errors.Add(new FieldError(path, $"must have at most {maxItems} items"));
        }

        var keys = new HashSet<string>();
        for (var i = 0; i < list.Count; i++)
        {
            Check(list[i], (V1JSONSchemaProps)schema.Items, $"{path}[{i}]", errors);
            if (schema.XKubernetesListType == "map" && list[i] is JsonObject item)
            {
                var key = string.Join("/", schema.XKubernetesListMapKeys.Select(k => item[k]?.ToJsonString()));
                if (!keys.Add(key))
                {
                    errors.Add(new FieldError($"{path}[{i}]", $"Duplicate value: {key}"));
                }
            }
        }
    }

    private static void CheckString(string text, V1JSONSchemaProps schema, string path, List<FieldError> errors)
    {
        if (schema.EnumProperty is { Count: > 0 } allowed && !allowed.Select(a => a.ToString()).Contains(text))
        {
            errors.Add(new FieldError(path, $"\"{text}\" is not one of {string.Join(", ", allowed)}"));
        }

        if (schema.Pattern is { } pattern && !Regex.IsMatch(text, pattern))
        {
            errors.Add(new FieldError(path, $"\"{text}\" does not match {pattern}"));
        }

        if (schema.MinLength is { } minLength && text.Length < minLength)
        {
            errors.Add(new FieldError(path, $"shorter than {minLength}"));
        }

        if (schema.MaxLength is { } maxLength && text.Length > maxLength)
        {
            errors.Add(new FieldError(path, $"longer than {maxLength}"));
        }

        if (schema.Format == "date-time" && !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            errors.Add(new FieldError(path, "not a date-time"));
        }
    }

    // A JsonValue made from a long will not give a double and vice versa: read numbers from their JSON text.
    private static double Number(JsonValue number) =>
        double.Parse(number.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsInteger(JsonValue number) => Math.Floor(Number(number)) == Number(number);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}

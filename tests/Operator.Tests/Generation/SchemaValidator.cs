using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;

namespace MetricsOperator.Tests.Generation;

/// <summary>
/// Checks a JSON value against a generated structural schema, as strictly as the API server with field
/// validation: unknown fields are errors (the server would prune them silently), and so are wrong types,
/// enum values, patterns, bounds, missing required fields, duplicate list-map keys and broken oneOfs.
/// Errors name the field by its path, like the server's.
/// </summary>
internal static class SchemaValidator
{
    public static List<string> Validate(JsonNode? value, V1JSONSchemaProps schema, string path = "")
    {
        var errors = new List<string>();
        Check(value, schema, path, errors);
        return errors;
    }

    private static void Check(JsonNode? value, V1JSONSchemaProps schema, string path, List<string> errors)
    {
        if (value is null)
        {
            errors.Add($"{path}: null is not allowed (no field is nullable)");
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
                errors.Add($"{path}: must be an integer or a string");
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
                    errors.Add($"{path}: must be a string");
                }

                break;
            case "integer" or "number":
                if (value is JsonValue number && number.GetValueKind() == JsonValueKind.Number && (schema.Type == "number" || IsInteger(number)))
                {
                    var x = Number(number);
                    if (schema.Minimum is { } min && x < min)
                    {
                        errors.Add($"{path}: {x} is below the minimum {min}");
                    }

                    if (schema.Maximum is { } max && x > max)
                    {
                        errors.Add($"{path}: {x} is above the maximum {max}");
                    }
                }
                else
                {
                    errors.Add($"{path}: must be {(schema.Type == "integer" ? "an integer" : "a number")}");
                }

                break;
            case "boolean":
                if (value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add($"{path}: must be a boolean");
                }

                break;
            default:
                errors.Add($"{path}: the schema has no type (not structural)");
                break;
        }
    }

    private static void CheckObject(JsonNode value, V1JSONSchemaProps schema, string path, List<string> errors)
    {
        if (value is not JsonObject map)
        {
            errors.Add($"{path}: must be an object");
            return;
        }

        foreach (var required in schema.Required ?? [])
        {
            if (!map.ContainsKey(required))
            {
                errors.Add($"{Join(path, required)}: Required value");
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
                errors.Add($"{Join(path, name)}: unknown field");
            }
        }

        if (schema.OneOf is { Count: > 0 } alternatives)
        {
            var matching = alternatives.Count(alternative => (alternative.Required ?? []).All(map.ContainsKey));
            if (matching != 1)
            {
                errors.Add($"{path}: must set exactly one of {string.Join(", ", alternatives.SelectMany(a => a.Required ?? []))}");
            }
        }
    }

    private static void CheckArray(JsonNode value, V1JSONSchemaProps schema, string path, List<string> errors)
    {
        if (value is not JsonArray list)
        {
            errors.Add($"{path}: must be a list");
            return;
        }

        if (schema.MinItems is { } minItems && list.Count < minItems)
        {
            errors.Add($"{path}: must have at least {minItems} items");
        }

        if (schema.MaxItems is { } maxItems && list.Count > maxItems)
        {
            errors.Add($"{path}: must have at most {maxItems} items");
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
                    errors.Add($"{path}[{i}]: Duplicate value: {key}");
                }
            }
        }
    }

    private static void CheckString(string text, V1JSONSchemaProps schema, string path, List<string> errors)
    {
        if (schema.EnumProperty is { Count: > 0 } allowed && !allowed.Select(a => a.ToString()).Contains(text))
        {
            errors.Add($"{path}: Unsupported value \"{text}\": supported values: {string.Join(", ", allowed)}");
        }

        if (schema.Pattern is { } pattern && !Regex.IsMatch(text, pattern))
        {
            errors.Add($"{path}: \"{text}\" does not match {pattern}");
        }

        if (schema.MinLength is { } minLength && text.Length < minLength)
        {
            errors.Add($"{path}: shorter than {minLength}");
        }

        if (schema.MaxLength is { } maxLength && text.Length > maxLength)
        {
            errors.Add($"{path}: longer than {maxLength}");
        }

        if (schema.Format == "date-time" && !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            errors.Add($"{path}: not a date-time");
        }
    }

    // A JsonValue made from a long will not give a double and vice versa: read numbers from their JSON text.
    private static double Number(JsonValue number) =>
        double.Parse(number.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsInteger(JsonValue number) => Math.Floor(Number(number)) == Number(number);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.OpenApi.Any;
using Microsoft.OpenApi.Models;

namespace MetricsOperator.Fakes.Contracts;

/// <summary>Whether a value is being sent to the server or returned by it: readOnly/writeOnly apply differently.</summary>
public enum SchemaDirection
{
    /// <summary>A request: required readOnly properties need not be sent.</summary>
    Request,

    /// <summary>A response: required writeOnly properties are not returned.</summary>
    Response,
}

/// <summary>
/// Checks a JSON value against an OpenAPI 3.0 schema: types, required properties, enums, string lengths and patterns,
/// numeric bounds, array sizes, the formats that are cheap to check (date-time, int32/int64, Prometheus durations),
/// additionalProperties, allOf, oneOf and anyOf. Each problem names the JSON path (<c>$.permissions[0].action</c>).
/// References are already resolved by the reader; recursion is bounded by the (finite) JSON value.
/// </summary>
public sealed class SchemaValidator
{
    private const int MaxProblems = 20;
    private static readonly ConcurrentDictionary<string, Regex?> Patterns = new(StringComparer.Ordinal);

    // Prometheus/Grafana model.Duration: "0", "5m", "1h30m", "90s", "1d", "250ms".
    private static readonly Regex PrometheusDuration = new(
        @"^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$", RegexOptions.CultureInvariant);

    private readonly bool trimEnumValues;

    /// <param name="trimEnumValues">
    /// Compare enum values with surrounding blanks removed. Grafana's spec lists contact point types as
    /// <c>" slack"</c>, <c>" email"</c>… (a go-swagger split of "a, b, c"), while the server takes <c>slack</c>.
    /// </param>
    public SchemaValidator(bool trimEnumValues = false) => this.trimEnumValues = trimEnumValues;

    /// <summary>Validates <paramref name="value"/>; returns the problems found (empty when valid).</summary>
    public IReadOnlyList<string> Validate(JsonElement value, OpenApiSchema schema, SchemaDirection direction, string path = "$")
    {
        var problems = new List<string>();
        Check(value, schema, path, direction, problems, 0);
        return problems;
    }

    private void Check(JsonElement value, OpenApiSchema schema, string path, SchemaDirection direction, List<string> problems, int depth)
    {
        if (problems.Count >= MaxProblems || depth > 64)
        {
            return;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!schema.Nullable && EffectiveType(schema) is not null)
            {
                problems.Add($"{path}: null is not allowed ({Describe(schema)})");
            }

            return;
        }

        foreach (var part in schema.AllOf)
        {
            Check(value, part, path, direction, problems, depth + 1);
        }

        CheckAlternatives(value, schema, path, direction, problems, depth);

        switch (EffectiveType(schema))
        {
            case "object":
                CheckObject(value, schema, path, direction, problems, depth);
                break;
            case "array":
                CheckArray(value, schema, path, direction, problems, depth);
                break;
            case "string":
                CheckString(value, schema, path, problems);
                break;
            case "integer":
                CheckInteger(value, schema, path, problems);
                break;
            case "number":
                CheckNumber(value, schema, path, problems);
                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    problems.Add($"{path}: expected a boolean, got {Kind(value)}");
                }

                break;
            default:
                break;
        }

        CheckEnum(value, schema, path, problems);
    }

    private void CheckAlternatives(JsonElement value, OpenApiSchema schema, string path, SchemaDirection direction, List<string> problems, int depth)
    {
        if (schema.OneOf.Count == 0 && schema.AnyOf.Count == 0)
        {
            return;
        }

        foreach (var (alternatives, exactlyOne) in new[] { (schema.OneOf, true), (schema.AnyOf, false) })
        {
            if (alternatives.Count == 0)
            {
                continue;
            }

            List<string>? closest = null;
            var matches = 0;
            foreach (var alternative in alternatives)
            {
                var attempt = new List<string>();
                Check(value, alternative, path, direction, attempt, depth + 1);
                if (attempt.Count == 0)
                {
                    matches++;
                }
                else if (closest is null || attempt.Count < closest.Count)
                {
                    closest = attempt;
                }
            }

            var keyword = exactlyOne ? "oneOf" : "anyOf";
            if (matches == 0)
            {
                problems.Add($"{path}: matches none of {keyword} [{string.Join(", ", alternatives.Select(Describe))}]" +
                    (closest is { Count: > 0 } ? $"; closest: {closest[0]}" : ""));
            }
            else if (exactlyOne && matches > 1)
            {
                problems.Add($"{path}: matches {matches} of oneOf [{string.Join(", ", alternatives.Select(Describe))}], exactly one allowed");
            }
        }
    }

    private void CheckObject(JsonElement value, OpenApiSchema schema, string path, SchemaDirection direction, List<string> problems, int depth)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}: expected an object ({Describe(schema)}), got {Kind(value)}");
            return;
        }

        foreach (var name in schema.Required)
        {
            if (!value.TryGetProperty(name, out _) && !ExemptFromRequired(FindProperty(schema, name), direction))
            {
                problems.Add($"{Child(path, name)}: required property is missing ({Describe(schema)})");
            }
        }

        foreach (var property in value.EnumerateObject())
        {
            if (schema.Properties.TryGetValue(property.Name, out var propertySchema))
            {
                Check(property.Value, propertySchema, Child(path, property.Name), direction, problems, depth + 1);
            }
            else if ((schema.AdditionalProperties is not null || !schema.AdditionalPropertiesAllowed) && FindProperty(schema, property.Name) is null)
            {
                if (schema.AdditionalProperties is { } additional)
                {
                    Check(property.Value, additional, Child(path, property.Name), direction, problems, depth + 1);
                }
                else if (!schema.AdditionalPropertiesAllowed)
                {
                    problems.Add($"{Child(path, property.Name)}: property not allowed ({Describe(schema)} forbids additional properties)");
                }
            }
        }
    }

    private void CheckArray(JsonElement value, OpenApiSchema schema, string path, SchemaDirection direction, List<string> problems, int depth)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{path}: expected an array, got {Kind(value)}");
            return;
        }

        var length = value.GetArrayLength();
        if (schema.MinItems is { } min && length < min)
        {
            problems.Add($"{path}: {length} item(s), at least {min} required");
        }

        if (schema.MaxItems is { } max && length > max)
        {
            problems.Add($"{path}: {length} item(s), at most {max} allowed");
        }

        if (schema.Items is { } items)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(item, items, $"{path}[{index++}]", direction, problems, depth + 1);
            }
        }
    }

    private static void CheckString(JsonElement value, OpenApiSchema schema, string path, List<string> problems)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{path}: expected a string, got {Kind(value)}");
            return;
        }

        var text = value.GetString()!;
        if (schema.MinLength is { } min && text.Length < min)
        {
            problems.Add($"{path}: length {text.Length} is below the minimum {min}");
        }

        if (schema.MaxLength is { } max && text.Length > max)
        {
            problems.Add($"{path}: length {text.Length} exceeds the maximum {max}");
        }

        if (schema.Pattern is { Length: > 0 } pattern && Compile(pattern) is { } regex && !regex.IsMatch(text))
        {
            problems.Add($"{path}: \"{Shorten(text)}\" does not match pattern {pattern}");
        }

        var formatOk = schema.Format switch
        {
            "date-time" => text.Contains('T', StringComparison.Ordinal) &&
                DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _),
            "duration" => text.Length > 0 && PrometheusDuration.IsMatch(text),
            _ => true,
        };
        if (!formatOk)
        {
            problems.Add($"{path}: \"{Shorten(text)}\" is not a valid {schema.Format}");
        }
    }

    private static void CheckInteger(JsonElement value, OpenApiSchema schema, string path, List<string> problems)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var number) || number != decimal.Truncate(number))
        {
            problems.Add($"{path}: expected an integer, got {Kind(value)} {Shorten(value.GetRawText())}");
            return;
        }

        if ((schema.Format == "int32" && (number < int.MinValue || number > int.MaxValue)) ||
            (schema.Format == "int64" && (number < long.MinValue || number > long.MaxValue)))
        {
            problems.Add($"{path}: {number} does not fit {schema.Format}");
        }

        CheckBounds(number, schema, path, problems);
    }

    private static void CheckNumber(JsonElement value, OpenApiSchema schema, string path, List<string> problems)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            problems.Add($"{path}: expected a number, got {Kind(value)}");
            return;
        }

        if (value.TryGetDecimal(out var number))
        {
            CheckBounds(number, schema, path, problems);
        }
    }

    private static void CheckBounds(decimal number, OpenApiSchema schema, string path, List<string> problems)
    {
        if (schema.Minimum is { } min && (number < min || (schema.ExclusiveMinimum == true && number == min)))
        {
            problems.Add($"{path}: {number} is below the minimum {min}");
        }

        if (schema.Maximum is { } max && (number > max || (schema.ExclusiveMaximum == true && number == max)))
        {
            problems.Add($"{path}: {number} exceeds the maximum {max}");
        }
    }

    private void CheckEnum(JsonElement value, OpenApiSchema schema, string path, List<string> problems)
    {
        if (schema.Enum.Count == 0)
        {
            return;
        }

        foreach (var allowed in schema.Enum)
        {
            if (EnumEquals(value, allowed))
            {
                return;
            }
        }

        problems.Add($"{path}: {Shorten(value.GetRawText())} is not one of [{string.Join(", ", schema.Enum.Select(EnumText))}]");
    }

    private bool EnumEquals(JsonElement value, IOpenApiAny allowed) => allowed switch
    {
        OpenApiString s when value.ValueKind == JsonValueKind.String =>
            trimEnumValues ? string.Equals(s.Value.Trim(), value.GetString(), StringComparison.Ordinal) : s.Value == value.GetString(),
        OpenApiInteger i => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var l) && l == i.Value,
        OpenApiLong l => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var v) && v == l.Value,
        OpenApiBoolean b => value.ValueKind == (b.Value ? JsonValueKind.True : JsonValueKind.False),
        OpenApiNull => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    private static string EnumText(IOpenApiAny allowed) => allowed switch
    {
        OpenApiString s => s.Value,
        OpenApiInteger i => i.Value.ToString(CultureInfo.InvariantCulture),
        OpenApiLong l => l.Value.ToString(CultureInfo.InvariantCulture),
        OpenApiBoolean b => b.Value ? "true" : "false",
        _ => allowed.AnyType.ToString(),
    };

    // Many specs omit "type: object" on schemas that only list properties (InfluxDB's Bucket, Error…).
    private static string? EffectiveType(OpenApiSchema schema) =>
        schema.Type ?? (schema.Properties.Count > 0 || schema.Required.Count > 0 || schema.AdditionalProperties is not null
            ? "object"
            : null);

    // A property declared in the schema itself or in one of its allOf parts (InfluxDB's Authorization lists
    // "required" beside an allOf that declares the properties).
    private static OpenApiSchema? FindProperty(OpenApiSchema schema, string name)
    {
        if (schema.Properties.TryGetValue(name, out var found))
        {
            return found;
        }

        foreach (var part in schema.AllOf.Concat(schema.OneOf).Concat(schema.AnyOf))
        {
            if (FindProperty(part, name) is { } inPart)
            {
                return inPart;
            }
        }

        return null;
    }

    private static bool ExemptFromRequired(OpenApiSchema? property, SchemaDirection direction) =>
        property is not null && (direction == SchemaDirection.Request ? property.ReadOnly : property.WriteOnly);

    private static Regex? Compile(string pattern) => Patterns.GetOrAdd(pattern, p =>
    {
        // ECMA patterns may escape characters .NET refuses to escape (Grafana writes "\_").
        foreach (var candidate in new[] { p, p.Replace(@"\_", "_", StringComparison.Ordinal) })
        {
            try
            {
                return new Regex(candidate, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException)
            {
                // try the next spelling
            }
        }

        return null;
    });

    private static string Describe(OpenApiSchema schema) =>
        schema.Reference?.Id ?? schema.Title ?? schema.Type ?? "schema";

    // Hot path (every property of every value): a plain loop, not a regex.
    private static string Child(string path, string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? $"{path}.{name}"
            : $"{path}[\"{name}\"]";

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => value.ValueKind.ToString(),
    };

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}

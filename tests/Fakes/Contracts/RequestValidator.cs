using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi.Models;

namespace MetricsOperator.Fakes.Contracts;

/// <summary>Checks a request's parameters and body against the operation the spec declares for it.</summary>
internal sealed class RequestValidator(SchemaValidator schemas)
{
    // Content negotiation and framing headers are the HTTP stack's business, not the operation's.
    private static readonly HashSet<string> TransportHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Length", "Accept", "Accept-Encoding", "Authorization", "User-Agent", "Host",
    };

    public List<string> Validate(HttpRequest request, RouteMatch match, OpenApiOperation operation, ReadOnlySpan<byte> body)
    {
        var problems = new List<string>();
        foreach (var parameter in Parameters(match.PathItem, operation))
        {
            CheckParameter(request, match, parameter, problems);
        }

        CheckBody(request.ContentType, operation.RequestBody, body, problems);
        return problems;
    }

    // Operation parameters override path-item parameters with the same name and location.
    private static IEnumerable<OpenApiParameter> Parameters(OpenApiPathItem item, OpenApiOperation operation)
    {
        var own = operation.Parameters.Select(p => (p.Name, p.In)).ToHashSet();
        return operation.Parameters.Concat(item.Parameters.Where(p => !own.Contains((p.Name, p.In))));
    }

    private void CheckParameter(HttpRequest request, RouteMatch match, OpenApiParameter parameter, List<string> problems)
    {
        var schema = parameter.Schema ?? new OpenApiSchema();
        string[] values;
        string label;
        switch (parameter.In)
        {
            case ParameterLocation.Path:
                label = $"path parameter {parameter.Name}";
                values = match.PathValues.TryGetValue(parameter.Name, out var pathValue) ? [pathValue] : [];
                break;
            case ParameterLocation.Query:
                label = $"query parameter {parameter.Name}";
                values = request.Query.TryGetValue(parameter.Name, out var query) ? [.. query.OfType<string>()] : [];
                break;
            case ParameterLocation.Header when !TransportHeaders.Contains(parameter.Name):
                label = $"header {parameter.Name}";
                values = request.Headers.TryGetValue(parameter.Name, out var header) ? [.. header.OfType<string>()] : [];
                break;
            default:
                return;
        }

        if (values.Length == 0)
        {
            if (parameter.Required)
            {
                problems.Add($"{label}: required but missing");
            }

            return;
        }

        var json = ToJson(values, schema, parameter.Explode);
        foreach (var problem in schemas.Validate(json, schema, SchemaDirection.Request, label))
        {
            problems.Add(problem);
        }
    }

    private void CheckBody(string? contentType, OpenApiRequestBody? declared, ReadOnlySpan<byte> body, List<string> problems)
    {
        if (declared is null)
        {
            return;
        }

        if (body.IsEmpty)
        {
            if (declared.Required)
            {
                problems.Add("request body: required but empty");
            }

            return;
        }

        var mediaType = MediaTypes.Of(contentType);
        var match = declared.Content.FirstOrDefault(c => string.Equals(MediaTypes.Of(c.Key), mediaType, StringComparison.OrdinalIgnoreCase));
        if (match.Value is null)
        {
            // Binary and text bodies under another name are tolerated: InfluxDB's restore endpoints declare
            // text/plain while their Content-Type header parameter (and the influx CLI) say application/octet-stream.
            if (mediaType.Length == 0 || MediaTypes.IsJson(mediaType) || declared.Content.Keys.All(MediaTypes.IsJson))
            {
                problems.Add($"request body: Content-Type \"{contentType}\" is not one of [{string.Join(", ", declared.Content.Keys)}]");
            }

            return;
        }

        if (!MediaTypes.IsJson(mediaType) || match.Value.Schema is null)
        {
            return;
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            problems.Add($"request body: not valid JSON ({e.Message})");
            return;
        }

        using (document)
        {
            problems.AddRange(schemas.Validate(document.RootElement, match.Value.Schema, SchemaDirection.Request, "request body $"));
        }
    }

    // Query strings are text: turn them into the JSON the schema describes so one validator serves both.
    private static JsonElement ToJson(string[] values, OpenApiSchema schema, bool explode)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (schema.Type == "array")
            {
                var items = explode ? values : values.SelectMany(v => v.Split(',')).ToArray();
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteScalar(writer, item, schema.Items?.Type);
                }

                writer.WriteEndArray();
            }
            else
            {
                WriteScalar(writer, values[^1], schema.Type);
            }
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void WriteScalar(Utf8JsonWriter writer, string text, string? type)
    {
        switch (type)
        {
            case "integer" when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer):
                writer.WriteNumberValue(integer);
                break;
            case "number" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                writer.WriteNumberValue(number);
                break;
            case "boolean" when ParseBool(text) is { } flag:
                writer.WriteBooleanValue(flag);
                break;
            default:
                writer.WriteStringValue(text);
                break;
        }
    }

    // Both servers are Go: strconv.ParseBool's spellings.
    private static bool? ParseBool(string text) => text switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => null,
    };
}

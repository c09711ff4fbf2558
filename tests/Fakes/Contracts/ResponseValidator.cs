using System.Globalization;
using System.Text.Json;
using Microsoft.OpenApi.Models;

namespace MetricsOperator.Fakes.Contracts;

/// <summary>Checks a response's status, media type and JSON body against what the operation declares.</summary>
internal sealed class ResponseValidator(SchemaValidator schemas, ContractRules rules)
{
    public List<string> Validate(
        string method, RouteMatch match, OpenApiOperation operation, int status, string? contentType, ReadOnlySpan<byte> body)
    {
        var problems = new List<string>();
        var code = status.ToString(CultureInfo.InvariantCulture);
        var declared = operation.Responses.GetValueOrDefault(code)
            ?? operation.Responses.GetValueOrDefault($"{status / 100}XX")
            ?? operation.Responses.GetValueOrDefault("default");
        if (declared is null)
        {
            if (!rules.Tolerates(method, match.Template, status))
            {
                problems.Add($"status {status} is not declared (declared: {string.Join(", ", operation.Responses.Keys)})");
            }

            return problems;
        }

        if (body.IsEmpty)
        {
            if (declared.Content.Values.Any(m => m.Schema is not null) && status != 204 && method != "HEAD")
            {
                problems.Add($"status {status}: empty body where the spec declares [{string.Join(", ", declared.Content.Keys)}]");
            }

            return problems;
        }

        if (status == 204)
        {
            problems.Add("status 204 carries a body");
            return problems;
        }

        if (declared.Content.Count == 0)
        {
            // The spec describes no body (Grafana's bare "404": {}); real servers still send an error message.
            return problems;
        }

        var mediaType = MediaTypes.Of(contentType);
        var media = declared.Content.FirstOrDefault(c => string.Equals(MediaTypes.Of(c.Key), mediaType, StringComparison.OrdinalIgnoreCase)).Value;
        if (media is null)
        {
            if (MediaTypes.IsJson(mediaType) || declared.Content.Keys.All(k => MediaTypes.IsJson(MediaTypes.Of(k))))
            {
                problems.Add($"status {status}: Content-Type \"{contentType}\" is not one of [{string.Join(", ", declared.Content.Keys)}]");
            }

            return problems;
        }

        if (!MediaTypes.IsJson(mediaType) || media.Schema is null)
        {
            return problems;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            problems.AddRange(schemas.Validate(document.RootElement, media.Schema, SchemaDirection.Response, $"response {status} $"));
        }
        catch (JsonException e)
        {
            problems.Add($"status {status}: body is not valid JSON ({e.Message})");
        }

        return problems;
    }
}

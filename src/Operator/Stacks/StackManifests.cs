using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Json;
using MetricsOperator.Stacks.Builders;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MetricsOperator.Stacks;

/// <summary>
/// Reads MetricsStacks from a YAML stream and writes Kubernetes objects as one. Reading goes through JSON
/// because the API types are shaped for System.Text.Json (enum names, ResourceQuantity), as the API server sees them.
/// </summary>
public static class StackManifests
{
    /// <summary>The MetricsStack documents of a YAML stream, in order, plus the kinds of the documents that were not.</summary>
    public static (IReadOnlyList<V1Alpha1MetricsStack> Stacks, IReadOnlyList<string> Skipped) Read(TextReader yaml) => Split(ReadDocuments(yaml));

    /// <summary>The MetricsStacks among <paramref name="documents"/>, in order, plus the kinds of the documents that were not.</summary>
    public static (IReadOnlyList<V1Alpha1MetricsStack> Stacks, IReadOnlyList<string> Skipped) Split(IEnumerable<JsonObject> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var stacks = new List<V1Alpha1MetricsStack>();
        var skipped = new List<string>();
        foreach (var json in documents)
        {
            var apiVersion = json["apiVersion"]?.GetValue<string>();
            var kind = json["kind"]?.GetValue<string>();
            if (apiVersion == ApiGroup.ApiVersion && kind == "MetricsStack")
            {
                stacks.Add(KubeJson.Deserialize<V1Alpha1MetricsStack>(json.ToJsonString())!);
            }
            else
            {
                skipped.Add($"{apiVersion}/{kind}");
            }
        }

        return (stacks, skipped);
    }

    /// <summary>The documents of a YAML stream that are mappings, as the JSON the API server would be sent.</summary>
    public static IReadOnlyList<JsonObject> ReadDocuments(TextReader yaml)
    {
        var stream = new YamlStream();
        stream.Load(yaml);
        return [.. stream.Documents.Select(document => ToJson(document.RootNode)).OfType<JsonObject>()];
    }

    /// <summary>
    /// The objects as a YAML stream: documents separated by <c>---</c>, fields in the models' order, nulls left out.
    /// </summary>
    public static string Write(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var text = new StringBuilder();
        foreach (var item in objects)
        {
            // Through the objects' JSON (source-generated, as the operator writes them to the API server) rather than
            // KubernetesClient's KubernetesYaml, which reads the models by reflection and cannot run in a Native AOT binary.
            text.Append("---\n").Append(PlainYaml.Write(HeaderFirst(JsonNode.Parse(KubeJson.Serialize(item))!.AsObject())).TrimEnd('\n')).Append('\n');
        }

        return text.ToString();
    }

    private static readonly string[] Header = ["apiVersion", "kind", "metadata"];

    // apiVersion, kind and metadata lead, as kubectl prints them (the models declare their fields alphabetically).
    private static JsonObject HeaderFirst(JsonObject json)
    {
        var ordered = new JsonObject();
        foreach (var key in Header.Concat(json.Select(p => p.Key)).Distinct(StringComparer.Ordinal).ToList())
        {
            if (json.Remove(key, out var value))
            {
                ordered[key] = value;
            }
        }

        return ordered;
    }

    /// <summary>YAML 1.2 core-schema scalars: plain <c>true</c>/<c>false</c>, null, integers and floats are typed; quoted ones are strings.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value ?? "", ToJson(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new YamlException(node.Start, node.End, $"Unsupported YAML node {node.NodeType}."),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && value.Any(char.IsDigit) => JsonValue.Create(number),
            _ => JsonValue.Create(value),
        };
    }
}

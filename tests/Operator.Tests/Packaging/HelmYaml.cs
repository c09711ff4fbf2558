using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace MetricsOperator.Tests.Packaging;

/// <summary>
/// YAML the way Helm handles values: read into maps, lists, strings, bools, nil and float64 numbers (Helm reads
/// values through JSON), and written back by <c>toYaml</c> with sorted keys and no trailing newline.
/// </summary>
public static partial class HelmYaml
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .Build();

    /// <summary>The value tree of a YAML document (an empty document is an empty map).</summary>
    public static object? Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? new Dictionary<string, object?>() : Convert(stream.Documents[0].RootNode);
    }

    /// <summary>Every document of a multi-document YAML text, empty ones left out.</summary>
    public static IReadOnlyList<object?> LoadAll(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => Convert(d.RootNode)).Where(d => d is not null)];
    }

    /// <summary>Sprig's toYaml: the value as YAML, keys sorted, without the final newline.</summary>
    public static string ToYaml(object? value) =>
        Serializer.Serialize(Sorted(value)).TrimEnd('\n').Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>Helm's value merge: maps merge key by key, anything else replaces.</summary>
    public static Dictionary<string, object?> Merge(IDictionary<string, object?> defaults, IDictionary<string, object?> overrides)
    {
        var merged = new Dictionary<string, object?>(defaults, StringComparer.Ordinal);
        foreach (var (key, value) in overrides)
        {
            merged[key] = merged.TryGetValue(key, out var existing) && existing is IDictionary<string, object?> a && value is IDictionary<string, object?> b
                ? Merge(a, b)
                : value;
        }

        return merged;
    }

    private static object? Sorted(object? value) => value switch
    {
        IDictionary<string, object?> map => map.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Aggregate(new OrderedDictionary<string, object?>(), (sorted, pair) => { sorted.Add(pair.Key, Sorted(pair.Value)); return sorted; }),
        IList<object?> list => list.Select(Sorted).ToList(),
        _ => value,
    };

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => Convert(p.Value), StringComparer.Ordinal),
        YamlSequenceNode list => list.Children.Select(Convert).ToList(),
        YamlScalarNode scalar when scalar.Style is YamlDotNet.Core.ScalarStyle.Plain => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => scalar.Value ?? "",
        _ => throw new InvalidOperationException($"unsupported YAML node {node.NodeType}"),
    };

    // YAML 1.1 core resolution as Helm's parser does it for the scalars the chart's values use.
    private static object? Plain(string text) => text switch
    {
        "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => true,
        "false" or "False" or "FALSE" => false,
        _ when Number().IsMatch(text) => double.Parse(text, CultureInfo.InvariantCulture),
        _ => text,
    };

    [GeneratedRegex(@"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")]
    private static partial Regex Number();
}

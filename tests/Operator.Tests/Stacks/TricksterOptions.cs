using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace MetricsOperator.Tests.Stacks;

/// <summary>
/// The option paths Trickster declares, read from its exhaustive example configuration (contracts/trickster/example.full.yaml),
/// where every option is written out, most of them commented out one level (<c>#   key: value</c>) and described in
/// comments two levels deep (<c>#   # key does …</c>). Levels that are maps of user-chosen names (<c>backends.&lt;name&gt;</c>,
/// <c>caches.&lt;name&gt;</c>, headers, tags) become <c>*</c>, in the declared paths and in the rendered ones alike.
/// </summary>
internal static partial class TricksterOptions
{
    // Top-level sections whose keys are names the user picks.
    private static readonly HashSet<string> NamedSections = ["backends", "caches", "negative_caches", "tracing", "listeners", "rules", "request_rewriters", "authenticators"];

    // Options whose value is a map of free keys (header names, tag names, user names, label names).
    private static readonly HashSet<string> FreeMaps = ["headers", "expected_headers", "request_headers", "response_headers", "request_params", "tags", "users", "labels"];

    /// <summary>Every declared option path (sections included), normalized.</summary>
    public static HashSet<string> Declared(string exampleFullYaml)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        var open = new List<(int Indent, string Key)>();
        foreach (var raw in exampleFullYaml.Split('\n'))
        {
            var line = Uncommented(raw.TrimEnd());
            if (line.TrimStart().StartsWith('#') || KeyLine().Match(line) is not { Success: true } match)
            {
                continue;
            }

            // A list item's keys sit two columns right of its dash.
            var indent = match.Groups["indent"].Length + match.Groups["dash"].Length;
            while (open.Count > 0 && open[^1].Indent >= indent)
            {
                open.RemoveAt(open.Count - 1);
            }

            open.Add((indent, match.Groups["key"].Value.Trim('"', '\'')));
            declared.Add(Normalize(open.Select(o => o.Key)));
        }

        return declared;
    }

    /// <summary>Every option path of a rendered configuration (sections included), normalized.</summary>
    public static List<string> Rendered(string renderedYaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(renderedYaml));
        var paths = new List<string>();
        Walk((YamlMappingNode)stream.Documents[0].RootNode, [], paths);
        return paths;
    }

    /// <summary>The rendered paths that <paramref name="declared"/> lacks.</summary>
    public static List<string> Undeclared(string renderedYaml, HashSet<string> declared) =>
        [.. Rendered(renderedYaml).Where(p => !declared.Contains(p))];

    private static void Walk(YamlMappingNode node, List<string> path, List<string> paths)
    {
        foreach (var (key, value) in node.Children)
        {
            List<string> here = [.. path, ((YamlScalarNode)key).Value!];
            paths.Add(Normalize(here));
            switch (value)
            {
                case YamlMappingNode mapping:
                    Walk(mapping, here, paths);
                    break;
                case YamlSequenceNode sequence:
                    foreach (var item in sequence.Children.OfType<YamlMappingNode>())
                    {
                        Walk(item, here, paths);
                    }

                    break;
            }
        }
    }

    private static string Normalize(IEnumerable<string> keys)
    {
        var normalized = new List<string>();
        foreach (var key in keys)
        {
            var wildcard = (normalized.Count == 1 && NamedSections.Contains(normalized[0]))
                || (normalized.Count > 0 && FreeMaps.Contains(normalized[^1]))
                || (normalized.Count == 2 && normalized[0] == "negative_caches");
            normalized.Add(wildcard ? "*" : key);
        }

        return string.Join('.', normalized);
    }

    // Commented-out options carry one "# " in front of their own indentation.
    private static string Uncommented(string line) =>
        line.StartsWith("# ", StringComparison.Ordinal) ? line[2..] : line.StartsWith('#') ? line[1..] : line;

    [GeneratedRegex(@"^(?<indent> *)(?<dash>- )?(?<key>""[^""]+""|'[^']+'|[A-Za-z0-9_.+-]+) *:( |$)")]
    private static partial Regex KeyLine();
}

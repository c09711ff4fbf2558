using Microsoft.OpenApi.Models;

namespace MetricsOperator.Fakes.Contracts;

/// <summary>A request path matched to a spec path template.</summary>
/// <param name="Template">The full template as served, base path included (e.g. <c>/api/v2/buckets/{bucketID}</c>).</param>
/// <param name="SpecPath">The template as the spec writes it, without the server base path.</param>
/// <param name="PathItem">The spec's path item.</param>
/// <param name="PathValues">Values of the template's parameters.</param>
public sealed record RouteMatch(
    string Template, string SpecPath, OpenApiPathItem PathItem, IReadOnlyDictionary<string, string> PathValues);

/// <summary>
/// Matches request paths to spec templates in O(path depth) with a segment trie,
/// preferring literal segments over parameters (so <c>/datasources/uid/x</c> beats <c>/datasources/{id}/x</c>).
/// Different templates may name the parameter at one position differently; each template keeps its own names.
/// </summary>
internal sealed class RouteTable
{
    private readonly Node root = new();

    public void Add(string template, string specPath, OpenApiPathItem item)
    {
        var node = root;
        var names = new List<string?>();
        foreach (var segment in Split(template))
        {
            if (segment.StartsWith('{') && segment.EndsWith('}'))
            {
                node = node.Parameter ??= new Node();
                names.Add(segment[1..^1]);
            }
            else
            {
                if (!node.Literals.TryGetValue(segment, out var next))
                {
                    next = new Node();
                    node.Literals[segment] = next;
                }

                node = next;
                names.Add(null);
            }
        }

        // The first declaration wins: a spec with two base paths for one template keeps the first.
        node.Terminal ??= new Terminal(template, specPath, item, [.. names]);
    }

    public RouteMatch? Match(string path)
    {
        var segments = Split(path);
        var terminal = Find(root, segments, 0);
        if (terminal is null)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < segments.Length; i++)
        {
            if (terminal.Names[i] is { } name)
            {
                values[name] = Uri.UnescapeDataString(segments[i]);
            }
        }

        return new RouteMatch(terminal.Template, terminal.SpecPath, terminal.Item, values);
    }

    private static Terminal? Find(Node node, string[] segments, int index)
    {
        if (index == segments.Length)
        {
            return node.Terminal;
        }

        if (node.Literals.TryGetValue(segments[index], out var literal) && Find(literal, segments, index + 1) is { } hit)
        {
            return hit;
        }

        return node.Parameter is { } parameter && segments[index].Length > 0
            ? Find(parameter, segments, index + 1)
            : null;
    }

    private static string[] Split(string path)
    {
        var trimmed = path.Trim('/');
        return trimmed.Length == 0 ? [] : trimmed.Split('/');
    }

    private sealed class Node
    {
        public Dictionary<string, Node> Literals { get; } = new(StringComparer.Ordinal);

        public Node? Parameter { get; set; }

        public Terminal? Terminal { get; set; }
    }

    private sealed record Terminal(string Template, string SpecPath, OpenApiPathItem Item, string?[] Names);
}

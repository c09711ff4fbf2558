using System.Collections.Concurrent;
using Microsoft.OpenApi.Models;
using Microsoft.OpenApi.Readers;

namespace MetricsOperator.Fakes.Contracts;

/// <summary>
/// An OpenAPI 3 document loaded once per process (parsing the specs takes about a second each),
/// with its operations indexed by the paths they are served at: the document's server base path
/// (<c>/api/v2</c>, <c>/api</c>) unless a path or operation names its own server (InfluxDB's <c>/health</c> is at the root).
/// </summary>
public sealed class ContractDocument
{
    private static readonly ConcurrentDictionary<string, Lazy<ContractDocument>> Cache = new(StringComparer.Ordinal);
    private readonly RouteTable routes = new();

    private ContractDocument(OpenApiDocument document, IReadOnlyList<string> loadErrors)
    {
        Document = document;
        LoadErrors = loadErrors;
        var basePath = BasePath(document.Servers, "");
        foreach (var (specPath, item) in document.Paths)
        {
            var pathBase = BasePath(item.Servers, basePath);
            foreach (var operation in item.Operations.Values)
            {
                // Operation-level servers override (InfluxDB serves /health and /ping at the root).
                routes.Add(BasePath(operation.Servers, pathBase) + specPath, specPath, item);
            }
        }
    }

    /// <summary>The parsed document.</summary>
    public OpenApiDocument Document { get; }

    /// <summary>Problems the reader reported while parsing (informational: the specs are third-party).</summary>
    public IReadOnlyList<string> LoadErrors { get; }

    /// <summary>Loads (or returns the cached) document at <paramref name="path"/>.</summary>
    public static ContractDocument Load(string path) =>
        Cache.GetOrAdd(Path.GetFullPath(path), full => new Lazy<ContractDocument>(() => Read(full))).Value;

    /// <summary>The template a request path is served by, or null when the spec has none.</summary>
    public RouteMatch? Match(string path) => routes.Match(path);

    private static ContractDocument Read(string path)
    {
        using var stream = File.OpenRead(path);
        var document = new OpenApiStreamReader().Read(stream, out var diagnostic);
        return new ContractDocument(document, [.. diagnostic.Errors.Select(e => e.ToString())]);
    }

    private static string BasePath(IList<OpenApiServer>? servers, string inherited)
    {
        if (servers is not { Count: > 0 })
        {
            return inherited;
        }

        var url = servers[0].Url ?? "";
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute))
        {
            url = absolute.AbsolutePath;
        }

        return url.TrimEnd('/');
    }
}

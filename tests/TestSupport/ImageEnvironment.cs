using System.Text.RegularExpressions;

namespace MetricsOperator.TestSupport;

/// <summary>
/// The environment the image gives the operator: the runtime stage's <c>ENV</c> lines of the Dockerfile, so the
/// benchmark's "shipped" run has what a pod has (a setting moved into the image is measured without touching the bench),
/// and a test starts the published binary with what the image would give it.
/// </summary>
public static partial class ImageEnvironment
{
    public static IReadOnlyDictionary<string, string> Read(string repository)
    {
        var text = File.ReadAllText(Path.Combine(repository, "Dockerfile"));
        var runtime = text[text.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];
        var joined = runtime.Replace("\\\n", " ", StringComparison.Ordinal);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in joined.Split('\n').Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)))
        {
            foreach (Match pair in Pair().Matches(line[4..]))
            {
                environment[pair.Groups[1].Value] = pair.Groups[2].Value.Trim('"');
            }
        }

        return environment;
    }

    [GeneratedRegex("""([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)""")]
    private static partial Regex Pair();
}

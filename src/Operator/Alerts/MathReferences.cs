using System.Text.RegularExpressions;

namespace MetricsOperator.Alerts;

/// <summary>
/// The steps a Grafana math expression reads: <c>$name</c> or <c>${name}</c> (Grafana's mathexp lexer reads a variable
/// as <c>$</c> and a name, or a name in braces).
/// </summary>
public static partial class MathReferences
{
    /// <summary>The names <paramref name="expression"/> refers to, in order, each once.</summary>
    public static IReadOnlyList<string> In(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return [.. Variable().Matches(expression).Select(m => m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["bare"].Value).Distinct(StringComparer.Ordinal)];
    }

    [GeneratedRegex(@"\$(\{(?<braced>[^}]*)\}|(?<bare>[A-Za-z0-9_]+))")]
    private static partial Regex Variable();
}

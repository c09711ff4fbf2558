using System.Globalization;
using System.Text;

namespace MetricsOperator.Stacks.Builders;

/// <summary>The few TOML forms telegraf.conf is written with: options, strings, lists and inline tables.</summary>
internal static class TomlText
{
    /// <summary><c>name = value</c> on its own line, indented as the section's options are.</summary>
    public static void Option(StringBuilder text, string name, string value, string indent = "  ") =>
        text.Append(CultureInfo.InvariantCulture, $"{indent}{name} = {value}\n");

    /// <summary>An integer value.</summary>
    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A boolean value.</summary>
    public static string Boolean(bool value) => value ? "true" : "false";

    /// <summary>A list of strings.</summary>
    public static string QuotedList(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Quoted)) + "]";

    /// <summary>An inline table of strings, keys quoted (any text is a valid quoted key), in ordinal key order.</summary>
    public static string InlineTable(IEnumerable<KeyValuePair<string, string>> pairs) =>
        "{" + string.Join(", ", pairs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Quoted(p.Key)} = {Quoted(p.Value)}")) + "}";

    /// <summary>A TOML basic string: backslash, quote and control characters escaped.</summary>
    public static string Quoted(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                < ' ' or '\u007f' => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}

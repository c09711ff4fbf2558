using System.Collections;
using System.Globalization;
using System.Text;

namespace MetricsOperator.Runtime.Logging;

/// <summary>
/// A logging scope of named values (the controller and object a reconcile is about, the informer a watch belongs to).
/// Formatters that print a scope's fields (the JSON console's <c>Scopes</c>) get them one by one; those that print a
/// scope as text (the simple console's <c>=&gt;</c> part, the JSON console's scope <c>Message</c>) get
/// <c>key=value key=value</c>. A dictionary, used before, printed as its type name there:
/// <c>System.Collections.Generic.Dictionary`2[System.String,System.Object]</c> on every line.
/// </summary>
public sealed class LogScope(params KeyValuePair<string, object?>[] values) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => values.Length;

    public KeyValuePair<string, object?> this[int index] => values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (key, value) in values)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(key).Append('=').Append(CultureInfo.InvariantCulture, $"{value}");
        }

        return text.ToString();
    }
}

using System.Globalization;
using System.Text;

namespace Lsst.Metrics.Client;

/// <summary>
/// InfluxDB line protocol, written as the reference encoder (influxdata/line-protocol) does: a measurement escapes
/// comma and space; tag keys, tag values and field keys escape comma, equals sign and space. Backslashes are not
/// escapes of their own (a backslash before any other character is literal), so a name that ends in a backslash,
/// that is empty, or that holds a control character or broken UTF-16 cannot be written and is refused.
/// </summary>
internal static class LineProtocol
{
    /// <summary>Why <paramref name="text"/> cannot be written as a name or tag value, or <c>null</c> when it can.</summary>
    public static string? Invalid(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return "is empty";
        }

        if (text[^1] == '\\')
        {
            return "ends with a backslash";
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x20 || c == 0x7f)
            {
                return "contains a control character";
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return "contains a lone UTF-16 surrogate";
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return "contains a lone UTF-16 surrogate";
            }
        }

        return null;
    }

    /// <summary>InfluxDB refuses a series key (escaped measurement and tags) longer than this: "max key length exceeded" (models.MaxKeyLength).</summary>
    public const int MaxSeriesKeyBytes = 65_535;

    /// <summary>InfluxDB refuses this tag key and field key ("invalid tag key: input tag "time"").</summary>
    public const string TimeKey = "time";

    /// <summary>What a tag named <see cref="TimeKey"/> is written as.</summary>
    public const string RenamedTimeKey = "time_";

    /// <summary>Why <paramref name="name"/> cannot be a measurement, or <c>null</c> when it can.</summary>
    public static string? InvalidMeasurement(string name)
    {
        if (name.StartsWith('#'))
        {
            return "starts with '#', which would make the line a comment";
        }

        if (Invalid(name) is { } problem)
        {
            return problem;
        }

        // InfluxDB's parser reads a backslash before these as an escape and drops it: the point is accepted (204)
        // and stored under another name (measured on InfluxDB 1.6.7, see docs/point-shape.md).
        for (var i = 0; i + 1 < name.Length; i++)
        {
            if (name[i] == '\\' && name[i + 1] is ',' or ' ' or '=' or '"')
            {
                return $"has a backslash before '{name[i + 1]}', which InfluxDB drops from the name";
            }
        }

        return null;
    }

    /// <summary>Appends a measurement name, escaping comma and space.</summary>
    public static StringBuilder AppendMeasurement(StringBuilder sb, ReadOnlySpan<char> name)
    {
        var start = 0;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is ',' or ' ')
            {
                sb.Append(name[start..i]).Append('\\').Append(c);
                start = i + 1;
            }
        }

        return sb.Append(name[start..]);
    }

    /// <summary>Appends a tag key, tag value or field key, escaping comma, equals sign and space.</summary>
    public static StringBuilder AppendKey(StringBuilder sb, ReadOnlySpan<char> key)
    {
        var start = 0;
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c is ',' or '=' or ' ')
            {
                sb.Append(key[start..i]).Append('\\').Append(c);
                start = i + 1;
            }
        }

        return sb.Append(key[start..]);
    }

    /// <summary>Appends an integer field value (<c>42i</c>).</summary>
    public static StringBuilder AppendInteger(StringBuilder sb, long value)
    {
        Span<char> buffer = stackalloc char[24];
        value.TryFormat(buffer, out var n, default, CultureInfo.InvariantCulture);
        return sb.Append(buffer[..n]).Append('i');
    }

    /// <summary>Appends a finite float field value in its shortest round-trip form (<c>1.5</c>, <c>1E+20</c>).</summary>
    public static StringBuilder AppendFloat(StringBuilder sb, double value)
    {
        Span<char> buffer = stackalloc char[32];
        value.TryFormat(buffer, out var n, "R", CultureInfo.InvariantCulture);
        return sb.Append(buffer[..n]);
    }

    /// <summary>Appends a timestamp in nanoseconds.</summary>
    public static StringBuilder AppendTimestamp(StringBuilder sb, long nanoseconds)
    {
        Span<char> buffer = stackalloc char[24];
        nanoseconds.TryFormat(buffer, out var n, default, CultureInfo.InvariantCulture);
        return sb.Append(buffer[..n]);
    }

    /// <summary>
    /// The text of a tag value as line protocol carries it: strings as they are, numbers and other formattable
    /// values in the invariant culture, booleans as <c>true</c>/<c>false</c>, <c>null</c> as empty (the tag is omitted).
    /// </summary>
    public static ReadOnlySpan<char> TagText(object? value, Span<char> scratch)
    {
        switch (value)
        {
            case null:
                return default;
            case string s:
                return s;
            case bool b:
                return b ? "true" : "false";
            case ISpanFormattable f when f.TryFormat(scratch, out var n, default, CultureInfo.InvariantCulture):
                return scratch[..n];
            case IFormattable f:
                return f.ToString(null, CultureInfo.InvariantCulture);
            default:
                return value.ToString();
        }
    }
}

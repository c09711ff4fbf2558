using System.Globalization;
using System.Text;

namespace Lsst.Metrics.Client.Tests.Support;

/// <summary>A field value as line protocol typed it.</summary>
public readonly record struct FieldValue(char Kind, long IntValue, double FloatValue, string? Text, bool Boolean)
{
    public double AsDouble => Kind switch
    {
        'i' or 'u' => IntValue,
        'f' => FloatValue,
        _ => throw new InvalidOperationException($"field of kind {Kind} is not numeric"),
    };
}

/// <summary>One parsed line.</summary>
public sealed record ParsedPoint(string Measurement, IReadOnlyList<KeyValuePair<string, string>> Tags, IReadOnlyDictionary<string, FieldValue> Fields, long? Timestamp)
{
    public string? Tag(string key) => Tags.FirstOrDefault(t => t.Key == key).Value;
}

/// <summary>A line that the grammar does not allow.</summary>
public sealed class LineProtocolException(string message) : Exception(message);

/// <summary>
/// A strict line-protocol parser following the grammar of influxdata/line-protocol (line-protocol.ebnf) and its
/// decoder's escape rules: a measurement unescapes "\," and "\ "; tag keys, tag values and field keys unescape
/// "\,", "\=" and "\ "; any other backslash is literal. It rejects what the grammar rejects (empty names or tag
/// values, control characters, bad numbers, missing fields, garbage after the timestamp, invalid UTF-8) and, on top
/// of that, duplicate tag or field keys.
/// </summary>
public static class LineProtocolParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static List<ParsedPoint> ParseBody(ReadOnlySpan<byte> body)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException e)
        {
            throw new LineProtocolException($"invalid UTF-8: {e.Message}");
        }

        return Parse(text);
    }

    public static List<ParsedPoint> Parse(string text)
    {
        var points = new List<ParsedPoint>();
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.EndsWith('\r') ? raw[..^1] : raw;
            var trimmed = line.TrimStart(' ');
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                continue;
            }

            try
            {
                points.Add(ParseLine(trimmed));
            }
            catch (LineProtocolException e)
            {
                throw new LineProtocolException($"line {lineNo}: {e.Message}: {line}");
            }
        }

        return points;
    }

    public static ParsedPoint ParseLine(string line)
    {
        var pos = 0;
        var measurement = Token(line, ref pos, ", ", ", ", "measurement");
        var tags = new List<KeyValuePair<string, string>>();
        while (pos < line.Length && line[pos] == ',')
        {
            pos++;
            var key = Token(line, ref pos, ",= ", ",= ", "tag key");
            Expect(line, ref pos, '=');
            var value = Token(line, ref pos, ",= ", ",= ", "tag value");
            if (tags.Any(t => t.Key == key))
            {
                throw new LineProtocolException($"duplicate tag key '{key}'");
            }

            tags.Add(new(key, value));
        }

        if (pos >= line.Length || line[pos] != ' ')
        {
            throw new LineProtocolException($"expected whitespace before the fields at {pos}");
        }

        while (pos < line.Length && line[pos] == ' ')
        {
            pos++;
        }

        var fields = new Dictionary<string, FieldValue>(StringComparer.Ordinal);
        while (true)
        {
            var key = Token(line, ref pos, ",= ", ",= ", "field key");
            Expect(line, ref pos, '=');
            var value = FieldValueAt(line, ref pos);
            if (!fields.TryAdd(key, value))
            {
                throw new LineProtocolException($"duplicate field key '{key}'");
            }

            if (pos < line.Length && line[pos] == ',')
            {
                pos++;
                continue;
            }

            break;
        }

        long? timestamp = null;
        if (pos < line.Length)
        {
            if (line[pos] != ' ')
            {
                throw new LineProtocolException($"unexpected '{line[pos]}' after the fields at {pos}");
            }

            while (pos < line.Length && line[pos] == ' ')
            {
                pos++;
            }

            var start = pos;
            if (pos < line.Length && line[pos] == '-')
            {
                pos++;
            }

            while (pos < line.Length && char.IsAsciiDigit(line[pos]))
            {
                pos++;
            }

            if (pos > start)
            {
                if (!long.TryParse(line.AsSpan(start, pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ts))
                {
                    throw new LineProtocolException($"bad timestamp '{line[start..pos]}'");
                }

                timestamp = ts;
            }

            while (pos < line.Length && line[pos] == ' ')
            {
                pos++;
            }

            if (pos < line.Length)
            {
                throw new LineProtocolException($"unexpected text after the timestamp: '{line[pos..]}'");
            }
        }

        return new ParsedPoint(measurement, tags, fields, timestamp);
    }

    private static void Expect(string line, ref int pos, char c)
    {
        if (pos >= line.Length || line[pos] != c)
        {
            throw new LineProtocolException($"expected '{c}' at {pos}");
        }

        pos++;
    }

    /// <summary>Reads a name or tag value up to an unescaped terminator; a backslash escapes only the characters in <paramref name="escapable"/>.</summary>
    private static string Token(string line, ref int pos, string terminators, string escapable, string what)
    {
        var sb = new StringBuilder();
        var start = pos;
        while (pos < line.Length)
        {
            var c = line[pos];
            if (c < 0x20 || c == 0x7f)
            {
                throw new LineProtocolException($"control character U+{(int)c:X4} in {what}");
            }

            if (c == '\\' && pos + 1 < line.Length && escapable.Contains(line[pos + 1], StringComparison.Ordinal))
            {
                sb.Append(line[pos + 1]);
                pos += 2;
                continue;
            }

            if (terminators.Contains(c, StringComparison.Ordinal))
            {
                break;
            }

            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || pos + 1 >= line.Length || !char.IsLowSurrogate(line[pos + 1]))
                {
                    throw new LineProtocolException($"broken surrogate in {what}");
                }

                sb.Append(c).Append(line[pos + 1]);
                pos += 2;
                continue;
            }

            sb.Append(c);
            pos++;
        }

        if (pos == start)
        {
            throw new LineProtocolException($"empty {what} at {pos}");
        }

        if (what == "measurement" && line[start] == '#')
        {
            throw new LineProtocolException("measurement starts with '#'");
        }

        if (pos == line.Length && line[pos - 1] == '\\')
        {
            throw new LineProtocolException($"{what} ends with a backslash");
        }

        return sb.ToString();
    }

    private static FieldValue FieldValueAt(string line, ref int pos)
    {
        if (pos >= line.Length)
        {
            throw new LineProtocolException("missing field value");
        }

        if (line[pos] == '"')
        {
            pos++;
            var sb = new StringBuilder();
            while (true)
            {
                if (pos >= line.Length)
                {
                    throw new LineProtocolException("unterminated string field");
                }

                var c = line[pos];
                if (c == '"')
                {
                    pos++;
                    break;
                }

                if (c == '\\' && pos + 1 < line.Length)
                {
                    var n = line[pos + 1];
                    sb.Append(n is '"' or '\\' ? n : c);
                    pos += n is '"' or '\\' ? 2 : 1;
                    continue;
                }

                sb.Append(c);
                pos++;
            }

            return new FieldValue('s', 0, 0, sb.ToString(), false);
        }

        var start = pos;
        while (pos < line.Length && line[pos] != ',' && line[pos] != ' ')
        {
            pos++;
        }

        var token = line[start..pos];
        switch (token)
        {
            case "t" or "T" or "true" or "True" or "TRUE":
                return new FieldValue('b', 0, 0, null, true);
            case "f" or "F" or "false" or "False" or "FALSE":
                return new FieldValue('b', 0, 0, null, false);
        }

        if (token.EndsWith('i') && IsDigits(token.AsSpan(token.StartsWith('-') ? 1 : 0, token.Length - (token.StartsWith('-') ? 2 : 1))))
        {
            if (!long.TryParse(token.AsSpan(0, token.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
            {
                throw new LineProtocolException($"integer out of range '{token}'");
            }

            return new FieldValue('i', i, 0, null, false);
        }

        if (token.EndsWith('u') && IsDigits(token.AsSpan(0, token.Length - 1)))
        {
            if (!ulong.TryParse(token.AsSpan(0, token.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var u) || u > long.MaxValue)
            {
                throw new LineProtocolException($"unsigned out of range '{token}'");
            }

            return new FieldValue('u', (long)u, 0, null, false);
        }

        if (IsFloat(token) && double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && double.IsFinite(f))
        {
            return new FieldValue('f', 0, f, null, false);
        }

        throw new LineProtocolException($"bad field value '{token}'");
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>floatfield = [ "-" ] ( digits [ "." [ digits ] [ exp ] ] | digits exp | "." digits [ exp ] ).</summary>
    private static bool IsFloat(string s)
    {
        var i = 0;
        if (i < s.Length && s[i] == '-')
        {
            i++;
        }

        var intDigits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
            intDigits++;
        }

        var fracDigits = 0;
        var dot = false;
        if (i < s.Length && s[i] == '.')
        {
            dot = true;
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                fracDigits++;
            }
        }

        if (intDigits == 0 && fracDigits == 0)
        {
            return false;
        }

        if (intDigits == 0 && !dot)
        {
            return false;
        }

        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            if (i < s.Length && (s[i] == '+' || s[i] == '-'))
            {
                i++;
            }

            var expDigits = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                expDigits++;
            }

            if (expDigits == 0)
            {
                return false;
            }
        }

        return i == s.Length;
    }
}

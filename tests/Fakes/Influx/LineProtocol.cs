using System.Globalization;
using System.Text;

namespace MetricsOperator.Fakes.Influx;

/// <summary>A line that is not valid line protocol.</summary>
/// <param name="Line">1-based line number in the request body.</param>
/// <param name="Message">InfluxDB-style message.</param>
public sealed record LineProtocolError(int Line, string Message);

/// <summary>
/// Strict InfluxDB line protocol: <c>measurement[,tag=value…] field=value[,field=value…] [timestamp]</c>, with the
/// escaping rules of the reference (comma and space in measurements; comma, equals and space in keys and tag values;
/// quote and backslash in string fields), typed field values (float, <c>i</c>, <c>u</c>, booleans, strings),
/// integer timestamps in the request's precision. Blank lines and <c>#</c> comments are skipped.
/// </summary>
public static class LineProtocol
{
    /// <summary>Parses a body; returns the points, or the first error (InfluxDB rejects the whole batch).</summary>
    public static (List<InfluxPoint> Points, LineProtocolError? Error) Parse(string body, string precision, long nowNs)
    {
        ArgumentNullException.ThrowIfNull(body);
        var points = new List<InfluxPoint>();
        var lineNumber = 0;
        foreach (var raw in body.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            try
            {
                points.Add(ParseLine(line, precision, nowNs));
            }
            catch (FormatException e)
            {
                return (points, new LineProtocolError(lineNumber, $"unable to parse '{line}': {e.Message}"));
            }
        }

        return (points, null);
    }

    /// <summary>Formats a point back to line protocol with a nanosecond timestamp.</summary>
    public static string Format(InfluxPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        var text = new StringBuilder(Escape(point.Measurement, ", "));
        foreach (var (key, value) in point.Tags)
        {
            text.Append(',').Append(Escape(key, ",= ")).Append('=').Append(Escape(value, ",= "));
        }

        text.Append(' ');
        var first = true;
        foreach (var (key, value) in point.Fields)
        {
            text.Append(first ? "" : ",").Append(Escape(key, ",= ")).Append('=').Append(FormatValue(value));
            first = false;
        }

        return text.Append(' ').Append(point.TimeNs.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    private static InfluxPoint ParseLine(string line, string precision, long nowNs)
    {
        var position = 0;
        var measurement = ReadToken(line, ref position, stopAt: ", ", escapable: ", ");
        if (measurement.Length == 0)
        {
            throw new FormatException("missing measurement");
        }

        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (position < line.Length && line[position] == ',')
        {
            position++;
            var key = ReadToken(line, ref position, stopAt: "=", escapable: ",= ");
            Expect(line, ref position, '=', $"missing tag value for tag key \"{key}\"");
            var value = ReadToken(line, ref position, stopAt: ", ", escapable: ",= ");
            if (key.Length == 0 || value.Length == 0)
            {
                throw new FormatException("missing tag key or value");
            }

            tags[key] = value;
        }

        Expect(line, ref position, ' ', "missing fields");
        var fields = new List<KeyValuePair<string, InfluxFieldValue>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var key = ReadToken(line, ref position, stopAt: "=", escapable: ",= ");
            if (key.Length == 0)
            {
                throw new FormatException("missing field key");
            }

            Expect(line, ref position, '=', $"missing field value for field key \"{key}\"");
            var value = ReadFieldValue(line, ref position);
            if (seen.Add(key))
            {
                fields.Add(new(key, value));
            }
        }
        while (position < line.Length && line[position] == ',' && ++position > 0);

        long timeNs;
        if (position >= line.Length)
        {
            timeNs = nowNs;
        }
        else
        {
            Expect(line, ref position, ' ', "invalid field format");
            var stamp = line[position..];
            if (!long.TryParse(stamp, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                throw new FormatException($"bad timestamp \"{stamp}\"");
            }

            timeNs = ToNanoseconds(value, precision);
        }

        return new InfluxPoint(measurement, [.. tags], fields, timeNs);
    }

    private static InfluxFieldValue ReadFieldValue(string line, ref int position)
    {
        if (position < line.Length && line[position] == '"')
        {
            var text = new StringBuilder();
            position++;
            while (position < line.Length && line[position] != '"')
            {
                if (line[position] == '\\' && position + 1 < line.Length && line[position + 1] is '"' or '\\')
                {
                    position++;
                }

                text.Append(line[position++]);
            }

            if (position >= line.Length)
            {
                throw new FormatException("unbalanced quotes");
            }

            position++;
            return new InfluxFieldValue(InfluxFieldType.String, text.ToString());
        }

        var start = position;
        while (position < line.Length && line[position] is not (',' or ' '))
        {
            position++;
        }

        var token = line[start..position];
        return ParseScalar(token);
    }

    private static InfluxFieldValue ParseScalar(string token)
    {
        switch (token)
        {
            case "t" or "T" or "true" or "True" or "TRUE":
                return new InfluxFieldValue(InfluxFieldType.Boolean, true);
            case "f" or "F" or "false" or "False" or "FALSE":
                return new InfluxFieldValue(InfluxFieldType.Boolean, false);
            default:
                break;
        }

        if (token.EndsWith('i') && long.TryParse(token[..^1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return new InfluxFieldValue(InfluxFieldType.Integer, integer);
        }

        if (token.EndsWith('u') && ulong.TryParse(token[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var unsigned))
        {
            return new InfluxFieldValue(InfluxFieldType.UInteger, unsigned);
        }

        if (token.Length > 0 && token[^1] is >= '0' and <= '9' or '.' &&
            double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return new InfluxFieldValue(InfluxFieldType.Float, number);
        }

        throw new FormatException(token.Length == 0 ? "missing field value" : $"invalid field value \"{token}\"");
    }

    private static string ReadToken(string line, ref int position, string stopAt, string escapable)
    {
        var token = new StringBuilder();
        while (position < line.Length && !stopAt.Contains(line[position], StringComparison.Ordinal))
        {
            if (line[position] == '\\' && position + 1 < line.Length && escapable.Contains(line[position + 1], StringComparison.Ordinal))
            {
                position++;
            }

            token.Append(line[position++]);
        }

        return token.ToString();
    }

    private static void Expect(string line, ref int position, char expected, string message)
    {
        if (position >= line.Length || line[position] != expected)
        {
            throw new FormatException(message);
        }

        position++;
    }

    private static long ToNanoseconds(long value, string precision) => precision switch
    {
        "s" => checked(value * 1_000_000_000),
        "ms" => checked(value * 1_000_000),
        "us" => checked(value * 1_000),
        _ => value,
    };

    private static string FormatValue(InfluxFieldValue value) => value.Type switch
    {
        InfluxFieldType.Float => ((double)value.Value).ToString("R", CultureInfo.InvariantCulture),
        InfluxFieldType.Integer => ((long)value.Value).ToString(CultureInfo.InvariantCulture) + "i",
        InfluxFieldType.UInteger => ((ulong)value.Value).ToString(CultureInfo.InvariantCulture) + "u",
        InfluxFieldType.Boolean => (bool)value.Value ? "true" : "false",
        _ => "\"" + ((string)value.Value).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
    };

    private static string Escape(string text, string characters)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (characters.Contains(c, StringComparison.Ordinal))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}

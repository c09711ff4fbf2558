using System.Globalization;
using System.Text;

namespace MetricsOperator.Fakes.Influx;

/// <summary>
/// Flux results as InfluxDB writes them: one table per series and field, each with its <c>#datatype</c>,
/// <c>#group</c> and <c>#default</c> annotations and header, blocks separated by a blank line, CRLF line ends.
/// </summary>
internal static class AnnotatedCsv
{
    public static string Write(FluxQuery query, IEnumerable<InfluxPoint> points)
    {
        var tables = new SortedDictionary<string, Table>(StringComparer.Ordinal);
        foreach (var point in points)
        {
            foreach (var (field, value) in point.Fields)
            {
                if (!query.Matches(point, field))
                {
                    continue;
                }

                var key = $"{point.Measurement}\u0000{field}\u0000{string.Join('\u0000', point.Tags.Select(t => t.Key + "=" + t.Value))}";
                if (!tables.TryGetValue(key, out var table))
                {
                    table = new Table(point.Measurement, field, point.Tags, value.Type);
                    tables[key] = table;
                }

                if (table.Type == value.Type)
                {
                    table.Rows.Add((point.TimeNs, value));
                }
            }
        }

        var csv = new StringBuilder();
        var index = 0;
        foreach (var table in tables.Values)
        {
            if (index > 0)
            {
                csv.Append("\r\n");
            }

            table.WriteTo(csv, index++, query.StartNs, query.StopNs);
        }

        return csv.Length == 0 ? "\r\n" : csv.ToString();
    }

    internal static string Rfc3339Nano(long ns)
    {
        var seconds = Math.DivRem(ns, 1_000_000_000L, out var fraction);
        if (fraction < 0)
        {
            seconds--;
            fraction += 1_000_000_000L;
        }

        var text = DateTime.UnixEpoch.AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return fraction == 0 ? text + "Z" : $"{text}.{fraction.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0')}Z";
    }

    private sealed class Table(string measurement, string field, IReadOnlyList<KeyValuePair<string, string>> tags, InfluxFieldType type)
    {
        public InfluxFieldType Type { get; } = type;

        public List<(long TimeNs, InfluxFieldValue Value)> Rows { get; } = [];

        public void WriteTo(StringBuilder csv, int index, long startNs, long stopNs)
        {
            var tagNames = tags.Select(t => t.Key).ToList();
            csv.Append("#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,").Append(DataType(Type))
                .Append(",string,string").Append(string.Concat(tagNames.Select(_ => ",string"))).Append("\r\n");
            csv.Append("#group,false,false,true,true,false,false,true,true").Append(string.Concat(tagNames.Select(_ => ",true"))).Append("\r\n");
            csv.Append("#default,_result,,,,,,,").Append(string.Concat(tagNames.Select(_ => ","))).Append("\r\n");
            csv.Append(",result,table,_start,_stop,_time,_value,_field,_measurement").Append(string.Concat(tagNames.Select(n => "," + Cell(n)))).Append("\r\n");
            foreach (var (time, value) in Rows.OrderBy(r => r.TimeNs))
            {
                csv.Append(",,").Append(index.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(Rfc3339Nano(startNs)).Append(',').Append(Rfc3339Nano(stopNs)).Append(',').Append(Rfc3339Nano(time)).Append(',')
                    .Append(Format(value)).Append(',').Append(Cell(field)).Append(',').Append(Cell(measurement))
                    .Append(string.Concat(tags.Select(t => "," + Cell(t.Value)))).Append("\r\n");
            }
        }

        private static string DataType(InfluxFieldType type) => type switch
        {
            InfluxFieldType.Float => "double",
            InfluxFieldType.Integer => "long",
            InfluxFieldType.UInteger => "unsignedLong",
            InfluxFieldType.Boolean => "boolean",
            _ => "string",
        };

        private static string Format(InfluxFieldValue value) => value.Type switch
        {
            InfluxFieldType.Float => ((double)value.Value).ToString("R", CultureInfo.InvariantCulture),
            InfluxFieldType.Integer => ((long)value.Value).ToString(CultureInfo.InvariantCulture),
            InfluxFieldType.UInteger => ((ulong)value.Value).ToString(CultureInfo.InvariantCulture),
            InfluxFieldType.Boolean => (bool)value.Value ? "true" : "false",
            _ => Cell((string)value.Value),
        };

        private static string Cell(string text) =>
            text.IndexOfAny([',', '"', '\r', '\n']) < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}

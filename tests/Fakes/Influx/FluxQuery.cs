using System.Globalization;
using System.Text.RegularExpressions;

namespace MetricsOperator.Fakes.Influx;

/// <summary>
/// The sliver of Flux the fake understands, enough to prove a token can read a bucket:
/// <c>from(bucket: "b") |> range(start: -1h[, stop: now()])</c> followed by optional
/// <c>filter(fn: (r) => r._measurement == "m" and r._field == "f" and r.tag == "v")</c> steps.
/// Anything else is refused with a message saying so, never silently misread.
/// </summary>
public sealed partial record FluxQuery(string? Bucket, string? BucketId, long StartNs, long StopNs, IReadOnlyList<KeyValuePair<string, string>> Equalities)
{
    /// <summary>Parses a script; throws <see cref="InfluxException"/> (501) for what the fake does not support.</summary>
    public static FluxQuery Parse(string script, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(script);
        var steps = script.Split("|>", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (steps.Length < 2)
        {
            throw Unsupported("a query must be from(...) |> range(...)");
        }

        var from = FromPattern().Match(steps[0]);
        if (!from.Success)
        {
            throw Unsupported("the first step must be from(bucket: \"...\") or from(bucketID: \"...\")");
        }

        var range = RangePattern().Match(steps[1]);
        if (!range.Success)
        {
            throw Unsupported("the second step must be range(start: ...[, stop: ...])");
        }

        var nowNs = ToNs(now);
        var start = Time(range.Groups["start"].Value, nowNs);
        var stop = range.Groups["stop"].Success ? Time(range.Groups["stop"].Value, nowNs) : nowNs;
        var equalities = new List<KeyValuePair<string, string>>();
        foreach (var step in steps.Skip(2))
        {
            if (YieldPattern().IsMatch(step))
            {
                continue;
            }

            var filter = FilterPattern().Match(step);
            if (!filter.Success)
            {
                throw Unsupported($"unsupported step \"{step}\"");
            }

            foreach (var condition in filter.Groups["body"].Value.Split(" and ", StringSplitOptions.TrimEntries))
            {
                var equality = EqualityPattern().Match(condition);
                if (!equality.Success)
                {
                    throw Unsupported($"unsupported filter condition \"{condition}\" (only r.column == \"value\" joined by and)");
                }

                var column = equality.Groups["dot"].Success ? equality.Groups["dot"].Value : equality.Groups["index"].Value;
                equalities.Add(new(column, equality.Groups["value"].Value));
            }
        }

        var isId = from.Groups["key"].Value == "bucketID";
        return new FluxQuery(isId ? null : from.Groups["name"].Value, isId ? from.Groups["name"].Value : null, start, stop, equalities);
    }

    /// <summary>Whether a point's column has the filtered value.</summary>
    public bool Matches(InfluxPoint point, string field)
    {
        ArgumentNullException.ThrowIfNull(point);
        foreach (var (column, value) in Equalities)
        {
            var actual = column switch
            {
                "_measurement" => point.Measurement,
                "_field" => field,
                _ => point.Tags.FirstOrDefault(t => t.Key == column).Value,
            };
            if (actual != value)
            {
                return false;
            }
        }

        return true;
    }

    internal static long ToNs(DateTime time) => (time.ToUniversalTime() - DateTime.UnixEpoch).Ticks * 100;

    private static long Time(string literal, long nowNs)
    {
        literal = literal.Trim();
        if (literal == "now()")
        {
            return nowNs;
        }

        if (DurationPattern().Match(literal) is { Success: true } duration)
        {
            long total = 0;
            foreach (Capture part in duration.Groups["part"].Captures)
            {
                var unit = UnitPattern().Match(part.Value);
                var amount = long.Parse(unit.Groups["n"].Value, CultureInfo.InvariantCulture);
                total += amount * unit.Groups["u"].Value switch
                {
                    "ns" => 1L,
                    "us" or "µs" => 1_000L,
                    "ms" => 1_000_000L,
                    "s" => 1_000_000_000L,
                    "m" => 60_000_000_000L,
                    "h" => 3_600_000_000_000L,
                    "d" => 86_400_000_000_000L,
                    "w" => 604_800_000_000_000L,
                    "mo" => 2_592_000_000_000_000L,
                    _ => 31_536_000_000_000_000L,
                };
            }

            return literal.StartsWith('-') ? nowNs - total : nowNs + total;
        }

        if (long.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds * 1_000_000_000;
        }

        if (DateTimeOffset.TryParse(literal, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var absolute))
        {
            return ToNs(absolute.UtcDateTime);
        }

        throw Unsupported($"unsupported time literal \"{literal}\"");
    }

    // 501, not a 400: outside its subset the fake cannot tell a good script from a bad one, so it must not answer as a
    // compilation error would (a client, e.g. the operator's query check, would take a good query for a refused one).
    private static InfluxException Unsupported(string what) => new(501, "not implemented", $"the InfluxDB fake's Flux subset: {what}");

    [GeneratedRegex("""^from\(\s*(?<key>bucket|bucketID)\s*:\s*"(?<name>[^"]+)"\s*\)$""")]
    private static partial Regex FromPattern();

    [GeneratedRegex("""^range\(\s*start\s*:\s*(?<start>[^,)]+(?:\(\))?)\s*(?:,\s*stop\s*:\s*(?<stop>[^,)]+(?:\(\))?)\s*)?\)$""")]
    private static partial Regex RangePattern();

    [GeneratedRegex("""^filter\(\s*fn\s*:\s*\(\s*r\s*\)\s*=>\s*(?<body>.+)\)$""")]
    private static partial Regex FilterPattern();

    [GeneratedRegex("""^\(?\s*r(?:\.(?<dot>\w+)|\["(?<index>[^"]+)"\])\s*==\s*"(?<value>[^"]*)"\s*\)?$""")]
    private static partial Regex EqualityPattern();

    [GeneratedRegex("""^yield\(.*\)$""")]
    private static partial Regex YieldPattern();

    [GeneratedRegex("""^-?(?<part>[0-9]+(?:ns|us|µs|ms|mo|s|m|h|d|w|y))+$""")]
    private static partial Regex DurationPattern();

    [GeneratedRegex("""^(?<n>[0-9]+)(?<u>ns|us|µs|ms|mo|s|m|h|d|w|y)$""")]
    private static partial Regex UnitPattern();
}

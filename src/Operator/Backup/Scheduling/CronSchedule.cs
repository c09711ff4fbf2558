using System.Globalization;

namespace MetricsOperator.Backup.Scheduling;

/// <summary>
/// A 5-field cron schedule (minute hour day-of-month month day-of-week), evaluated in UTC. Each field takes
/// <c>*</c>, numbers, ranges <c>a-b</c>, steps <c>*/n</c> and <c>a-b/n</c>, and comma lists; day-of-week is 0–7
/// (0 and 7 are Sunday). As in Vixie cron, when both day fields are restricted a day matching either is due. The
/// macros <c>@yearly @annually @monthly @weekly @daily @midnight @hourly</c> are accepted; names (<c>MON</c>, <c>JAN</c>),
/// <c>L</c>, <c>W</c>, <c>#</c>, <c>?</c> and seconds fields are not, and are refused with the field named.
/// </summary>
public sealed class CronSchedule
{
    private static readonly (string Name, int Min, int Max)[] Fields =
        [("minute", 0, 59), ("hour", 0, 23), ("day-of-month", 1, 31), ("month", 1, 12), ("day-of-week", 0, 7)];

    private readonly bool[][] allowed;
    private readonly bool domRestricted;
    private readonly bool dowRestricted;

    private CronSchedule(bool[][] allowed, bool domRestricted, bool dowRestricted)
    {
        this.allowed = allowed;
        this.domRestricted = domRestricted;
        this.dowRestricted = dowRestricted;
    }

    /// <summary>The text as given.</summary>
    public string Text { get; private init; } = "";

    /// <summary>Parses <paramref name="text"/>; null and a message naming the field when it is not supported.</summary>
    public static CronSchedule? TryParse(string? text, out string? problem)
    {
        problem = null;
        var trimmed = (text ?? "").Trim();
        var expanded = trimmed switch
        {
            "@yearly" or "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" or "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            _ => trimmed,
        };
        var parts = expanded.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5)
        {
            problem = $"schedule \"{trimmed}\" has {parts.Length} fields; expected 5 (minute hour day-of-month month day-of-week) or a macro such as @daily";
            return null;
        }

        var sets = new bool[5][];
        for (var i = 0; i < 5; i++)
        {
            var (name, min, max) = Fields[i];
            sets[i] = ParseField(parts[i], min, max, out var fieldProblem)!;
            if (fieldProblem is not null)
            {
                problem = $"schedule \"{trimmed}\": {name} field \"{parts[i]}\": {fieldProblem}";
                return null;
            }
        }

        if (sets[4][7])
        {
            sets[4][0] = true;
        }

        return new CronSchedule(sets, parts[2] != "*", parts[4] != "*") { Text = trimmed };
    }

    /// <summary>Parses <paramref name="text"/> or throws <see cref="FormatException"/> with the problem.</summary>
    public static CronSchedule Parse(string? text) => TryParse(text, out var problem) ?? throw new FormatException(problem);

    /// <summary>The first time strictly after <paramref name="after"/> (to the minute, UTC) the schedule is due; null when never (e.g. 31 February).</summary>
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        var t = after.ToUniversalTime();
        t = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        var limit = t.AddYears(5);
        while (t < limit)
        {
            if (!allowed[3][t.Month])
            {
                t = new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
                continue;
            }

            if (!DayMatches(t))
            {
                t = new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero).AddDays(1);
                continue;
            }

            if (!allowed[1][t.Hour])
            {
                t = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
                continue;
            }

            if (!allowed[0][t.Minute])
            {
                t = t.AddMinutes(1);
                continue;
            }

            return t;
        }

        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private bool DayMatches(DateTimeOffset t)
    {
        var dom = allowed[2][t.Day];
        var dow = allowed[4][(int)t.DayOfWeek];
        return domRestricted && dowRestricted ? dom || dow : dom && dow;
    }

    private static bool[]? ParseField(string field, int min, int max, out string? problem)
    {
        problem = null;
        var set = new bool[max + 1];
        foreach (var item in field.Split(','))
        {
            var step = 1;
            var range = item;
            var slash = item.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                if (!int.TryParse(item.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
                {
                    problem = $"step \"{item[(slash + 1)..]}\" is not a positive number";
                    return null;
                }

                range = item[..slash];
            }

            int from, to;
            if (range == "*")
            {
                (from, to) = (min, max);
            }
            else
            {
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                var first = dash >= 0 ? range[..dash] : range;
                if (!Number(first, min, max, out from, out problem))
                {
                    return null;
                }

                to = from;
                if (dash >= 0 && !Number(range[(dash + 1)..], min, max, out to, out problem))
                {
                    return null;
                }
                else if (dash < 0 && slash >= 0)
                {
                    to = max;
                }

                if (to < from)
                {
                    problem = $"range {from}-{to} runs backwards";
                    return null;
                }
            }

            for (var v = from; v <= to; v += step)
            {
                set[v] = true;
            }
        }

        return set;
    }

    private static bool Number(string text, int min, int max, out int value, out string? problem)
    {
        problem = null;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            problem = $"\"{text}\" is not a number (names, L, W, #, ? are not supported)";
            return false;
        }

        if (value < min || value > max)
        {
            problem = $"{value} is outside {min}-{max}";
            return false;
        }

        return true;
    }
}

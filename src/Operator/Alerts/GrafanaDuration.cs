using System.Globalization;
using System.Text;

namespace MetricsOperator.Alerts;

/// <summary>Prometheus-style durations as Grafana reads and writes them ("1m30s", "5m", "0s").</summary>
public static class GrafanaDuration
{
    private static readonly (string Unit, long Seconds)[] Units =
        [("y", 31_536_000L), ("w", 604_800L), ("d", 86_400L), ("h", 3_600L), ("m", 60L), ("s", 1L)];

    /// <summary>Seconds in <paramref name="text"/>, or null when it is not a duration (milliseconds are not used here).</summary>
    public static long? TryParseSeconds(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text == "0")
        {
            return 0;
        }

        // By hand, not by regular expression: every AppAlert reconcile reads several durations, and a match with named
        // groups allocated a sixth of an unchanged reconcile's memory (docs/performance.md, twelfth pass). Units
        // in Prometheus' order (y w d h m s), each at most once, each a run of digits: what model.ParseDuration takes
        // without milliseconds.
        long total = 0;
        var at = 0;
        var nextUnit = 0;
        while (at < text.Length)
        {
            var digits = at;
            while (at < text.Length && char.IsAsciiDigit(text[at]))
            {
                at++;
            }

            if (at == digits || at == text.Length)
            {
                return null;
            }

            var unit = nextUnit;
            while (unit < Units.Length && Units[unit].Unit[0] != text[at])
            {
                unit++;
            }

            if (unit == Units.Length
                || !long.TryParse(text.AsSpan(digits, at - digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                || count > long.MaxValue / Units[unit].Seconds / 2)
            {
                return null;
            }

            total += count * Units[unit].Seconds;
            nextUnit = unit + 1;
            at++;
        }

        return total;
    }

    /// <summary>Seconds as Grafana formats them (Prometheus' model.Duration): "5m", "1h30m", "0s".</summary>
    public static string Format(long seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        if (seconds == 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        foreach (var (unit, size) in Units)
        {
            if (seconds >= size)
            {
                text.Append((seconds / size).ToString(CultureInfo.InvariantCulture)).Append(unit);
                seconds %= size;
            }
        }

        return text.ToString();
    }
}

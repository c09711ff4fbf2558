using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MetricsOperator.Alerts;

/// <summary>Prometheus-style durations as Grafana reads and writes them ("1m30s", "5m", "0s").</summary>
public static partial class GrafanaDuration
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

        var match = Pattern().Match(text);
        if (!match.Success)
        {
            return null;
        }

        long total = 0;
        foreach (var (unit, seconds) in Units)
        {
            if (match.Groups[unit].Success)
            {
                if (!long.TryParse(match.Groups[unit].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > long.MaxValue / seconds / 2)
                {
                    return null;
                }

                total += count * seconds;
            }
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

    [GeneratedRegex("^((?<y>[0-9]+)y)?((?<w>[0-9]+)w)?((?<d>[0-9]+)d)?((?<h>[0-9]+)h)?((?<m>[0-9]+)m)?((?<s>[0-9]+)s)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

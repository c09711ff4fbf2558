using System.Globalization;
using System.Text;

namespace MetricsOperator.Influx;

/// <summary>
/// The spec's retention strings (<c>0s</c>, <c>720h</c>, <c>52w</c>, <c>1d12h</c>: the CRD pattern
/// <c>^([0-9]+(w|d|h|m|s))+$</c>) to and from the seconds InfluxDB's retention rules carry. Zero means forever.
/// </summary>
public static class RetentionDuration
{
    /// <summary>InfluxDB refuses a retention shorter than this (other than zero).</summary>
    public const long MinimumSeconds = 3600;

    private static readonly (char Unit, long Seconds)[] Units = [('w', 604800), ('d', 86400), ('h', 3600), ('m', 60), ('s', 1)];

    /// <summary>Seconds in <paramref name="text"/>; false when it is not a duration of w/d/h/m/s parts or overflows.</summary>
    public static bool TryParse(string? text, out long seconds)
    {
        seconds = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i == text.Length || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unit = Array.FindIndex(Units, u => u.Unit == text[i]);
            if (unit < 0)
            {
                return false;
            }

            try
            {
                seconds = checked(seconds + (amount * Units[unit].Seconds));
            }
            catch (OverflowException)
            {
                return false;
            }

            i++;
        }

        return true;
    }

    /// <summary>Seconds in <paramref name="text"/>; throws <see cref="FormatException"/> when it is not a duration.</summary>
    public static long Parse(string? text) =>
        TryParse(text, out var seconds) ? seconds : throw new FormatException($"\"{text}\" is not a duration of w, d, h, m and s parts");

    /// <summary>
    /// Why the spec's retention cannot be applied (null when it can): not a duration, or shorter than InfluxDB's
    /// minimum of one hour (InfluxDB would answer 422).
    /// </summary>
    public static string? Problem(string? text)
    {
        if (!TryParse(text, out var seconds))
        {
            return $"\"{text}\" is not a duration of w, d, h, m and s parts";
        }

        return seconds is > 0 and < MinimumSeconds ? $"\"{text}\" is shorter than InfluxDB's minimum retention of 1h (use 0s to keep data forever)" : null;
    }

    /// <summary>
    /// The shortest spelling of <paramref name="seconds"/> in the largest units (<c>0s</c>, <c>30d</c>, <c>1w2d</c>),
    /// for status when InfluxDB's retention differs from how the spec wrote it.
    /// </summary>
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
                text.Append(CultureInfo.InvariantCulture, $"{seconds / size}{unit}");
                seconds %= size;
            }
        }

        return text.ToString();
    }

    /// <summary>How status shows <paramref name="seconds"/>: the spec's own spelling when it means the same, else <see cref="Format"/>.</summary>
    public static string Describe(long seconds, string? specText) =>
        TryParse(specText, out var wanted) && wanted == seconds ? specText! : Format(seconds);
}

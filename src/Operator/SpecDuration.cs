using System.Globalization;
using System.Text;

namespace MetricsOperator;

/// <summary>
/// The duration strings the API types use (<c>0s</c>, <c>90m</c>, <c>52w</c>, <c>1d12h</c>: the CRD pattern
/// <c>^([0-9]+(w|d|h|m|s))+$</c>) to and from seconds. One parser for every field that carries such a string.
/// </summary>
public static class SpecDuration
{
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

    /// <summary>The shortest spelling of <paramref name="seconds"/> in the largest units (<c>0s</c>, <c>30d</c>, <c>1w2d</c>).</summary>
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
}

namespace MetricsOperator.Influx;

/// <summary>
/// The spec's retention (a <see cref="SpecDuration"/>) as the seconds InfluxDB's retention rules carry, and InfluxDB's
/// rules about it. Zero means forever.
/// </summary>
public static class RetentionDuration
{
    /// <summary>InfluxDB refuses a retention shorter than this (other than zero).</summary>
    public const long MinimumSeconds = 3600;

    /// <summary>Seconds in <paramref name="text"/>; throws <see cref="FormatException"/> when it is not a duration.</summary>
    public static long Parse(string? text) =>
        SpecDuration.TryParse(text, out var seconds) ? seconds : throw new FormatException($"\"{text}\" is not a duration of w, d, h, m and s parts");

    /// <summary>
    /// Why the spec's retention cannot be applied (null when it can): not a duration, or shorter than InfluxDB's
    /// minimum of one hour (InfluxDB would answer 422).
    /// </summary>
    public static string? Problem(string? text)
    {
        if (!SpecDuration.TryParse(text, out var seconds))
        {
            return $"\"{text}\" is not a duration of w, d, h, m and s parts";
        }

        return seconds is > 0 and < MinimumSeconds ? $"\"{text}\" is shorter than InfluxDB's minimum retention of 1h (use 0s to keep data forever)" : null;
    }

    /// <summary>How status shows <paramref name="seconds"/>: the spec's own spelling when it means the same, else <see cref="SpecDuration.Format"/>.</summary>
    public static string Describe(long seconds, string? specText) =>
        SpecDuration.TryParse(specText, out var wanted) && wanted == seconds ? specText! : SpecDuration.Format(seconds);
}

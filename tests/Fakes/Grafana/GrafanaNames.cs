using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MetricsOperator.Fakes.Grafana;

/// <summary>Grafana's rules for identifiers, names and durations.</summary>
public static partial class GrafanaNames
{
    /// <summary>UIDs: at most 40 characters of letters, digits, '-' and '_'.</summary>
    public const int MaxUidLength = 40;

    /// <summary>Rule titles and group names: at most 190 characters.</summary>
    public const int MaxTitleLength = 190;

    /// <summary>The scheduler's base interval: a group's interval must be a positive multiple of it.</summary>
    public const long BaseIntervalSeconds = 10;

    /// <summary>Why a UID is refused, or null when it is fine (Grafana's util.ValidateUID wording).</summary>
    public static string? UidProblem(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        if (uid.Length > MaxUidLength)
        {
            return "uid too long, max 40 characters";
        }

        return UidPattern().IsMatch(uid) ? null : "uid contains illegal characters";
    }

    /// <summary>A short UID as Grafana generates them (14 characters).</summary>
    public static string NewUid()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        var bytes = RandomNumberGenerator.GetBytes(14);
        return string.Concat(bytes.Select(b => alphabet[b % alphabet.Length]));
    }

    /// <summary>Parses a Prometheus duration ("5m", "1h30m", "0s"); null when malformed.</summary>
    public static long? ParseDurationSeconds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "0")
        {
            return 0;
        }

        var match = DurationPattern().Match(text);
        if (!match.Success || text.Length == 0)
        {
            return null;
        }

        long total = 0;
        foreach (var (group, seconds) in new[] { ("y", 31_536_000L), ("w", 604_800L), ("d", 86_400L), ("h", 3_600L), ("m", 60L), ("s", 1L) })
        {
            if (match.Groups[group].Success)
            {
                total += long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) * seconds;
            }
        }

        return total;
    }

    /// <summary>Formats seconds as Prometheus' model.Duration.String() does: "5m", "1h30m", "1d", "0s".</summary>
    public static string FormatDuration(long seconds)
    {
        if (seconds == 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        foreach (var (unit, size) in new[] { ("y", 31_536_000L), ("w", 604_800L), ("d", 86_400L), ("h", 3_600L), ("m", 60L), ("s", 1L) })
        {
            if (seconds >= size)
            {
                text.Append((seconds / size).ToString(CultureInfo.InvariantCulture)).Append(unit);
                seconds %= size;
            }
        }

        return text.ToString();
    }

    /// <summary>Grafana's URL slug of a title.</summary>
    public static string Slug(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        return SlugPattern().Replace(title.ToLowerInvariant(), "-").Trim('-');
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]*$")]
    private static partial Regex UidPattern();

    [GeneratedRegex("^(?:(?<y>[0-9]+)y)?(?:(?<w>[0-9]+)w)?(?:(?<d>[0-9]+)d)?(?:(?<h>[0-9]+)h)?(?:(?<m>[0-9]+)m)?(?:(?<s>[0-9]+)s)?$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SlugPattern();
}

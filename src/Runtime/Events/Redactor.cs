using System.Text.RegularExpressions;

namespace MetricsOperator.Runtime.Events;

/// <summary>
/// A last-line guard against secrets in Event messages and logs. Callers are responsible for never putting a secret
/// in a message; this only masks obvious token shapes: <c>Bearer …</c>, <c>token=…</c>/<c>password: …</c> pairs,
/// JWTs, and long mixed-case alphanumeric runs (API tokens such as InfluxDB's). Kubernetes names (lower case) and
/// UIDs (short hex groups) pass through.
/// </summary>
public static partial class Redactor
{
    /// <summary>What replaces a secret.</summary>
    public const string Mask = "[redacted]";

    /// <summary><paramref name="text"/> with obvious secrets masked.</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        text = Bearer().Replace(text, "$1" + Mask);
        text = KeyValue().Replace(text, "$1$2" + Mask);
        text = Jwt().Replace(text, Mask);
        return LongToken().Replace(text, Mask);
    }

    [GeneratedRegex(@"(?i)\b((?:bearer|basic)\s+)[^\s""',;]+")]
    private static partial Regex Bearer();

    [GeneratedRegex(@"(?i)(?<!\.)\b((?:password|passwd|token|secret|api[-_]?key|authorization)[""']?)(\s*[:=]\s*[""']?)(?!(?:bearer|basic)\s)[^\s""',;&]+")]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/_-])(?=[A-Za-z0-9+/_-]*[A-Z])(?=[A-Za-z0-9+/_-]*[a-z])(?=[A-Za-z0-9+/_-]*[0-9])[A-Za-z0-9+/_-]{32,}={0,2}")]
    private static partial Regex LongToken();
}

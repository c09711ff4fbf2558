using System.Globalization;

namespace MetricsOperator.Backup.Snapshots;

/// <summary>
/// Snapshot names and keys. A snapshot is the folder <c>{kind}/{yyyyMMddTHHmmssZ}/</c> under the destination's
/// prefix: names sort as times, so "latest" is the greatest name and retention needs no object dates (which
/// S3-compatible stores report unevenly). Anything not shaped like this is not ours and is never touched.
/// </summary>
public static class SnapshotNames
{
    /// <summary>Kind of Grafana configuration snapshots.</summary>
    public const string Grafana = "grafana";

    /// <summary>Kind of InfluxDB data snapshots.</summary>
    public const string InfluxDb = "influxdb";

    private const string Format = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The name of a snapshot taken at <paramref name="time"/>.</summary>
    public static string At(DateTimeOffset time) => time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>The time a name stands for, or null when the name is not one of ours.</summary>
    public static DateTimeOffset? TimeOf(string name) =>
        DateTime.TryParseExact(name, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? new DateTimeOffset(t, TimeSpan.Zero)
            : null;

    /// <summary>The key prefix of every snapshot of a kind.</summary>
    public static string KindPrefix(string kind) => kind + "/";

    /// <summary>The key of a file in a snapshot.</summary>
    public static string Key(string kind, string snapshot, string path) => $"{kind}/{snapshot}/{path}";

    /// <summary>
    /// The snapshot a CLI argument names: <c>latest</c>, a bare name (<c>20250101T030000Z</c>), or the path as shown in
    /// status (<c>grafana/20250101T030000Z</c>, with or without trailing '/').
    /// </summary>
    public static string? Parse(string kind, string given)
    {
        ArgumentNullException.ThrowIfNull(given);
        var name = given.Trim().TrimEnd('/');
        if (name.StartsWith(kind + "/", StringComparison.Ordinal))
        {
            name = name[(kind.Length + 1)..];
        }

        return name == "latest" || TimeOf(name) is not null ? name : null;
    }
}

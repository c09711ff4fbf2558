using System.Security.Cryptography;
using System.Text;

namespace MetricsOperator.Fakes.Influx;

/// <summary>IDs and tokens shaped like InfluxDB's.</summary>
internal static class InfluxIds
{
    /// <summary>A 16-hex-digit platform ID.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>InfluxDB's platform IDs are exactly 16 hex digits; anything else is "invalid ID".</summary>
    public static bool IsValidId(string? id) =>
        id is { Length: 16 } && id.All(Uri.IsHexDigit);

    /// <summary>A token as InfluxDB mints them: 64 random bytes, URL-safe base64.</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)).Replace('+', '-').Replace('/', '_');

    /// <summary>What is stored instead of the token.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

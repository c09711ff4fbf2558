using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MetricsOperator.Backup.Destinations;

/// <summary>
/// AWS Signature Version 4 for S3 requests, sent in the <c>Authorization</c> header: the canonical request, the string
/// to sign and the signing key as AWS's "Signature Version 4 signing process" and S3's "Authenticating Requests
/// (AWS Signature Version 4)" define them. Pure: the caller gives the time and the payload's hash.
/// </summary>
/// <remarks>
/// S3's form, which differs from other services' in two ways: each path segment is URI-encoded once (not twice), and
/// the payload's SHA-256 is both signed and sent as <c>x-amz-content-sha256</c>. Signed headers are <c>host</c>,
/// <c>x-amz-content-sha256</c> and <c>x-amz-date</c>, the least S3 requires; a proxy that adds others does not break it.
/// </remarks>
public static class SignatureV4
{
    /// <summary>The hash of an empty payload (a GET, a DELETE).</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>The headers a signed request carries.</summary>
    /// <param name="Authorization">The <c>Authorization</c> header's value.</param>
    /// <param name="AmzDate">The <c>x-amz-date</c> header's value.</param>
    /// <param name="ContentSha256">The <c>x-amz-content-sha256</c> header's value.</param>
    public sealed record SignedHeaders(string Authorization, string AmzDate, string ContentSha256);

    /// <summary>Signs one request.</summary>
    /// <param name="method">The HTTP method, upper case.</param>
    /// <param name="host">The <c>Host</c> header: the host, with the port when it is not the scheme's.</param>
    /// <param name="path">The path exactly as sent, each segment encoded with <see cref="Encode"/>.</param>
    /// <param name="query">The query exactly as sent, without '?': <see cref="Query"/>'s result.</param>
    /// <param name="payloadSha256">The hex SHA-256 of the body (<see cref="EmptyPayloadHash"/> for none).</param>
    /// <param name="region">The signing region.</param>
    /// <param name="accessKeyId">The access key ID.</param>
    /// <param name="secretAccessKey">The secret access key.</param>
    /// <param name="now">The request's time.</param>
    public static SignedHeaders Sign(string method, string host, string path, string query, string payloadSha256, string region, string accessKeyId, string secretAccessKey, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(secretAccessKey);
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var day = amzDate[..8];
        var scope = $"{day}/{region}/s3/aws4_request";
        const string signedHeaders = "host;x-amz-content-sha256;x-amz-date";
        var canonicalRequest = string.Join('\n',
            method,
            path,
            query,
            $"host:{host}",
            $"x-amz-content-sha256:{payloadSha256}",
            $"x-amz-date:{amzDate}",
            "",
            signedHeaders,
            payloadSha256);
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256", amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (var part in new[] { day, region, "s3", "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return new($"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}", amzDate, payloadSha256);
    }

    /// <summary>The hex SHA-256 of <paramref name="payload"/>.</summary>
    public static string PayloadHash(ReadOnlySpan<byte> payload) => Hex(SHA256.HashData(payload));

    /// <summary>
    /// One path segment or query component encoded as SigV4 wants it: every byte of its UTF-8 except the unreserved
    /// characters (A-Z, a-z, 0-9, '-', '.', '_', '~') as %XX with upper-case hex.
    /// </summary>
    public static string Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var encoded = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    /// <summary>
    /// A query in SigV4's canonical form, which is also what is sent: each name and value encoded with
    /// <see cref="Encode"/>, sorted by name, a name with no value written "name=" (<c>?uploads</c> as <c>uploads=</c>).
    /// </summary>
    public static string Query(IEnumerable<(string Name, string Value)> parameters) =>
        string.Join('&', parameters
            .Select(p => (Name: Encode(p.Name), Value: Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}

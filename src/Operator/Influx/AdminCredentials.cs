using System.Text;
using k8s.Models;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Influx;

/// <summary>The InfluxDB admin token and password, as generated or read from the admin Secret.</summary>
/// <param name="Token">The operator token InfluxDB is set up with (all permissions).</param>
/// <param name="Password">The admin user's password (for people using the UI; the operator only uses the token).</param>
public sealed record AdminCredentials(InfluxSecret Token, InfluxSecret Password)
{
    // 48 random bytes (384 bits) for the token; InfluxDB makes its own tokens from 64. Either is far beyond guessing.
    private const int TokenBytes = 48;
    private const int PasswordBytes = 24;

    /// <summary>Fresh random credentials (a cryptographic RNG; URL-safe base64 so they fit headers and env vars).</summary>
    public static AdminCredentials Generate() =>
        new(new InfluxSecret(CredentialSecrets.RandomText(TokenBytes)), new InfluxSecret(CredentialSecrets.RandomText(PasswordBytes)));

    /// <summary>
    /// The credentials in a Secret's data (keys <see cref="StackNames.AdminTokenKey"/> and <see cref="StackNames.AdminPasswordKey"/>),
    /// or the name of the key that is missing or empty.
    /// </summary>
    public static (AdminCredentials? Credentials, string? MissingKey) From(V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var token = Value(secret, StackNames.AdminTokenKey);
        if (token is null)
        {
            return (null, StackNames.AdminTokenKey);
        }

        var password = Value(secret, StackNames.AdminPasswordKey);
        return password is null ? (null, StackNames.AdminPasswordKey) : (new AdminCredentials(new InfluxSecret(token), new InfluxSecret(password)), null);
    }

    /// <summary>The Secret data holding these credentials.</summary>
    public IDictionary<string, byte[]> ToData() => new Dictionary<string, byte[]>(StringComparer.Ordinal)
    {
        [StackNames.AdminTokenKey] = Encoding.UTF8.GetBytes(Token.Reveal()),
        [StackNames.AdminPasswordKey] = Encoding.UTF8.GetBytes(Password.Reveal()),
    };

    /// <inheritdoc />
    public override string ToString() => "AdminCredentials { [secret] }";

    internal static string? Value(V1Secret secret, string key)
    {
        if (secret.Data is { } data && data.TryGetValue(key, out var bytes) && bytes is { Length: > 0 })
        {
            return Encoding.UTF8.GetString(bytes).Trim();
        }

        return secret.StringData is { } strings && strings.TryGetValue(key, out var text) && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;
    }
}

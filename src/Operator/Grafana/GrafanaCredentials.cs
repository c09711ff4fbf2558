using System.Net.Http.Headers;
using System.Text;
using k8s.Models;

namespace MetricsOperator.Grafana;

/// <summary>
/// How the operator authenticates to a Grafana: a service-account token (<c>token</c> key) or basic auth
/// (<c>username</c> and <c>password</c>), read from a Secret. <see cref="ToString"/> never shows the secret part, so
/// the value can be logged or put into an exception by mistake without leaking.
/// </summary>
public sealed class GrafanaCredentials
{
    /// <summary>Key of a service-account token in the credentials Secret.</summary>
    public const string TokenKey = "token";

    /// <summary>Key of the user name.</summary>
    public const string UserKey = "username";

    /// <summary>Key of the password.</summary>
    public const string PasswordKey = "password";

    private readonly string scheme;
    private readonly string parameter;

    private GrafanaCredentials(string scheme, string parameter, string description)
    {
        this.scheme = scheme;
        this.parameter = parameter;
        Description = description;
    }

    /// <summary>What kind of credentials these are (no secret): "service-account token" or "basic auth as admin".</summary>
    public string Description { get; }

    /// <summary>A service-account token, sent as <c>Authorization: Bearer …</c>.</summary>
    public static GrafanaCredentials Token(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        return new GrafanaCredentials("Bearer", token, "service-account token");
    }

    /// <summary>Basic auth.</summary>
    public static GrafanaCredentials Basic(string user, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(password);
        return new GrafanaCredentials("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")), $"basic auth as {user}");
    }

    /// <summary>
    /// The credentials in <paramref name="secret"/>: <c>token</c> when present, else <c>username</c> and <c>password</c>;
    /// null (with the missing keys in <paramref name="problem"/>) when it holds neither.
    /// </summary>
    public static GrafanaCredentials? FromSecret(V1Secret secret, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        string? Read(string key) => data.TryGetValue(key, out var bytes) && bytes.Length > 0 ? Encoding.UTF8.GetString(bytes).Trim() : null;
        problem = null;
        if (Read(TokenKey) is { Length: > 0 } token)
        {
            return Token(token);
        }

        if (Read(UserKey) is { Length: > 0 } user && Read(PasswordKey) is { } password)
        {
            return Basic(user, password);
        }

        problem = $"Secret {secret.Metadata?.Name} holds neither \"{TokenKey}\" nor \"{UserKey}\" and \"{PasswordKey}\"";
        return null;
    }

    /// <summary>The Authorization header.</summary>
    public AuthenticationHeaderValue Header() => new(scheme, parameter);

    /// <inheritdoc/>
    public override string ToString() => Description;
}

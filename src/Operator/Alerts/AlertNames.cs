using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MetricsOperator.Alerts;

/// <summary>
/// The Grafana identities of an AppAlert, derived only from its namespace, name, app and rule names, so that a
/// restarted operator (or a second replica) arrives at the same ones and never duplicates a rule. Grafana's limits:
/// UIDs are at most 40 of <c>[A-Za-z0-9_-]</c>, titles and group names at most 190 characters.
/// </summary>
public static partial class AlertNames
{
    /// <summary>Grafana's longest UID.</summary>
    public const int MaxUidLength = 40;

    /// <summary>Grafana's longest title and rule group name.</summary>
    public const int MaxTitleLength = 190;

    /// <summary>Prefix of every folder UID the operator makes.</summary>
    public const string FolderPrefix = "app-";

    /// <summary>Prefix of every rule UID the operator makes.</summary>
    public const string RulePrefix = "appalert-";

    private const int HashLength = 10;

    /// <summary>
    /// The app's folder: <c>app-&lt;app&gt;</c>, or when that is too long, the app cut short plus a hash of the whole
    /// name (apps are DNS labels, so the characters are always valid).
    /// </summary>
    public static string FolderUid(string app)
    {
        ArgumentException.ThrowIfNullOrEmpty(app);
        var whole = FolderPrefix + app;
        return whole.Length <= MaxUidLength
            ? whole
            : $"{whole[..(MaxUidLength - HashLength - 1)].TrimEnd('-')}-{Hash(app, HashLength)}";
    }

    /// <summary>The folder's title: the app's name, as people look for it in Grafana.</summary>
    public static string FolderTitle(string app) => app;

    /// <summary>
    /// The AppAlert's rule group: <c>&lt;namespace&gt;_&lt;name&gt;</c> (namespaces cannot contain <c>_</c>, so it
    /// reads back unambiguously; no <c>/</c>, which would have to travel escaped in the group's URL). Cut to 190
    /// characters with a hash of the whole when longer.
    /// </summary>
    public static string RuleGroup(string @namespace, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var whole = $"{@namespace}_{name}";
        return whole.Length <= MaxTitleLength
            ? whole
            : $"{whole[..(MaxTitleLength - HashLength - 1)]}-{Hash(whole, HashLength)}";
    }

    /// <summary>
    /// A rule's UID: <c>appalert-</c> and 24 hex digits of SHA-256 over namespace, AppAlert name and rule name
    /// (NUL-separated, so no two triples collide by concatenation). Renaming a rule gives it a new UID: the old rule
    /// is deleted by the group PUT and a new one created.
    /// </summary>
    public static string RuleUid(string @namespace, string name, string ruleName)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(ruleName);
        return RulePrefix + Hash($"{@namespace}\0{name}\0{ruleName}", 24);
    }

    /// <summary>True when <paramref name="uid"/> is a UID Grafana accepts.</summary>
    public static bool IsValidUid(string? uid) => uid is { Length: > 0 and <= MaxUidLength } && UidPattern().IsMatch(uid);

    /// <summary>Lower-case hex of SHA-256 of <paramref name="text"/>, cut to <paramref name="length"/> digits.</summary>
    public static string Hash(string text, int length)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length];
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex UidPattern();
}

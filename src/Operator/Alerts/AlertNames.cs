using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MetricsOperator.Alerts;

/// <summary>
/// The Grafana identities of an AppAlert, derived only from its namespace, name, app and rule names and its stack's
/// environment, so that a restarted operator (or a second replica) arrives at the same ones and never duplicates a
/// rule. With an environment (<c>spec.environment</c> of the stack) every identity carries it, so the operators of
/// several environments can share one Grafana without writing each other's folders, groups, rules or datasources;
/// without one, the identities are those of a single-environment Grafana (unchanged since before environments).
/// Environments, apps, namespaces and names are DNS labels or subdomains, so none contains <c>_</c>: it separates the
/// environment from what follows and reads back unambiguously. Grafana's limits: UIDs are at most 40 of
/// <c>[A-Za-z0-9_-]</c>, titles and group names at most 190 characters.
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

    /// <summary>The label every rule of a stack with an environment carries: the environment's name.</summary>
    public const string EnvironmentLabel = "environment";

    private const int HashLength = 10;

    /// <summary>
    /// The app's folder: <c>app-&lt;app&gt;</c>, or with an environment <c>app-&lt;environment&gt;_&lt;app&gt;</c> (one
    /// folder per environment and app, side by side at Grafana's root); when that is too long, cut short plus a hash
    /// of the whole name (apps and environments are DNS labels, so the characters are always valid).
    /// </summary>
    public static string FolderUid(string app, string? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(app);
        if (string.IsNullOrEmpty(environment))
        {
            return Bounded(FolderPrefix + app, app);
        }

        return Bounded($"{FolderPrefix}{environment}_{app}", $"{environment}\0{app}");
    }

    /// <summary>
    /// The folder's title: the app's name, as people look for it in Grafana; with an environment
    /// <c>&lt;app&gt; (&lt;environment&gt;)</c>, so each environment's folder of an app is told apart in the folder list.
    /// </summary>
    public static string FolderTitle(string app, string? environment = null) =>
        string.IsNullOrEmpty(environment) ? app : $"{app} ({environment})";

    /// <summary>
    /// The AppAlert's rule group: <c>&lt;namespace&gt;_&lt;name&gt;</c> (namespaces cannot contain <c>_</c>, so it
    /// reads back unambiguously; no <c>/</c>, which would have to travel escaped in the group's URL). Cut to 190
    /// characters with a hash of the whole when longer. With an environment: <c>&lt;environment&gt;_&lt;namespace&gt;_&lt;name&gt;</c>.
    /// </summary>
    public static string RuleGroup(string @namespace, string name, string? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var whole = string.IsNullOrEmpty(environment) ? $"{@namespace}_{name}" : $"{environment}_{@namespace}_{name}";
        return whole.Length <= MaxTitleLength
            ? whole
            : $"{whole[..(MaxTitleLength - HashLength - 1)]}-{Hash(whole, HashLength)}";
    }

    /// <summary>
    /// A rule's UID: <c>appalert-</c> and 24 hex digits of SHA-256 over namespace, AppAlert name and rule name
    /// (NUL-separated, so no two triples collide by concatenation); with an environment, the environment comes first
    /// in the hashed text. Renaming a rule gives it a new UID: the old rule is deleted by the group PUT and a new one created.
    /// </summary>
    public static string RuleUid(string @namespace, string name, string ruleName, string? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(ruleName);
        var identity = $"{@namespace}\0{name}\0{ruleName}";
        return RulePrefix + Hash(string.IsNullOrEmpty(environment) ? identity : $"{environment}\0{identity}", 24);
    }

    /// <summary>
    /// The UID of an environment's datasource in a Grafana several environments share: <c>&lt;uid&gt;-&lt;environment&gt;</c>
    /// (e.g. <c>influxdb-influxql-idfdev</c>), cut short plus a hash of both when longer than 40.
    /// </summary>
    public static string DatasourceUid(string uid, string environment)
    {
        ArgumentException.ThrowIfNullOrEmpty(uid);
        ArgumentException.ThrowIfNullOrEmpty(environment);
        return Bounded($"{uid}-{environment}", $"{uid}\0{environment}");
    }

    /// <summary>True when <paramref name="uid"/> is a UID Grafana accepts.</summary>
    public static bool IsValidUid(string? uid) => uid is { Length: > 0 and <= MaxUidLength } && UidPattern().IsMatch(uid);

    /// <summary>Lower-case hex of SHA-256 of <paramref name="text"/>, cut to <paramref name="length"/> digits.</summary>
    public static string Hash(string text, int length)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length];
    }

    // The whole UID when it fits; else its start and a hash of what it is made of (so two long names never meet).
    private static string Bounded(string whole, string hashed) =>
        whole.Length <= MaxUidLength
            ? whole
            : $"{whole[..(MaxUidLength - HashLength - 1)].TrimEnd('-', '_')}-{Hash(hashed, HashLength)}";

    [GeneratedRegex("^[A-Za-z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex UidPattern();
}

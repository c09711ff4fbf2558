namespace MetricsOperator.Backup.Grafana;

/// <summary>
/// Secret values a restore puts back into the contact points and datasources whose secrets the snapshot left out, each
/// keyed by the object's UID and the field, with where it came from (for the plan's output; never the value).
/// </summary>
public sealed class RestoreSecrets
{
    private readonly Dictionary<(string Uid, string Field), (string Value, string Source)> values = [];

    /// <summary>No secrets: every left-out field of a created object gets a placeholder.</summary>
    public static RestoreSecrets None { get; } = new();

    /// <summary>Adds the value of <paramref name="field"/> of the contact point or datasource <paramref name="uid"/>.</summary>
    public RestoreSecrets With(string uid, string field, string value, string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(uid);
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentNullException.ThrowIfNull(value);
        values[(uid, field)] = (value, source);
        return this;
    }

    /// <summary>Whether a value is offered for that field.</summary>
    public bool Has(string uid, string field) => values.ContainsKey((uid, field));

    /// <summary>Where that field's value comes from, or null.</summary>
    public string? SourceOf(string uid, string field) => values.TryGetValue((uid, field), out var v) ? v.Source : null;

    /// <summary>The value of that field, or null.</summary>
    public string? ValueOf(string uid, string field) => values.TryGetValue((uid, field), out var v) ? v.Value : null;

    /// <summary>
    /// What a created object's left-out field holds when no value is offered: something Grafana accepts (a URL where the
    /// setting is one) that names the object and says it is a placeholder. Notifications through it fail until the secret is entered.
    /// </summary>
    public static string Placeholder(string uid, string field) =>
        field.Contains("url", StringComparison.OrdinalIgnoreCase)
            ? $"https://restore-placeholder.invalid/{Uri.EscapeDataString(uid)}/{Uri.EscapeDataString(field)}"
            : $"restore-placeholder:{uid}:{field}";
}

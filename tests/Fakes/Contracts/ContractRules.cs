namespace MetricsOperator.Fakes.Contracts;

/// <summary>
/// A status the real server answers for an operation although the spec does not list it.
/// Each one is a documented quirk of the spec, not a licence for the fake to answer anything.
/// </summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Template">Served template, e.g. <c>/api/v1/provisioning/alert-rules/{UID}</c>.</param>
/// <param name="Status">The undeclared status.</param>
/// <param name="Why">Why the real server answers it.</param>
public sealed record UndeclaredStatus(string Method, string Template, int Status, string Why);

/// <summary>How a fake applies its spec: which quirks it tolerates and how it words a rejection.</summary>
public sealed class ContractRules
{
    private HashSet<string>? gaps;

    /// <summary>The spec, or null when no contracts folder exists (a user's clone): the fake then checks nothing.</summary>
    public required ContractDocument? Document { get; init; }

    /// <summary>See <see cref="SchemaValidator(bool)"/>.</summary>
    public bool TrimEnumValues { get; init; }

    /// <summary>
    /// Statuses any operation may answer though its responses do not list them: authentication failures from the
    /// server's middleware, injected faults, the fake's own "not implemented".
    /// </summary>
    public IReadOnlySet<int> ServerWideStatuses { get; init; } = new HashSet<int>();

    /// <summary>Per-operation statuses the real server answers and the spec omits.</summary>
    public IReadOnlyList<UndeclaredStatus> UndeclaredStatuses { get; init; } = [];

    /// <summary>
    /// Requests outside the spec that the fake serves anyway (InfluxDB's v1 <c>/query</c> is in a separate spec);
    /// they are neither validated nor reported.
    /// </summary>
    public Func<string, string, bool> IsUncontracted { get; init; } = static (_, _) => false;

    /// <summary>The JSON error body the real server would send with a status and message.</summary>
    public required Func<int, string, string> ErrorJson { get; init; }

    internal bool Tolerates(string method, string template, int status)
    {
        if (ServerWideStatuses.Contains(status))
        {
            return true;
        }

        gaps ??= [.. UndeclaredStatuses.Select(u => Key(u.Method, u.Template, u.Status))];
        return gaps.Contains(Key(method, template, status));
    }

    private static string Key(string method, string template, int status) => $"{method.ToUpperInvariant()} {template} {status}";
}

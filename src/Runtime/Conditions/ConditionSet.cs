using System.Text.RegularExpressions;
using k8s.Models;

using MetricsOperator.Runtime.Events;

namespace MetricsOperator.Runtime.Conditions;

/// <summary>What <c>ConditionSet.Set</c> did.</summary>
public enum ConditionChange
{
    /// <summary>Nothing changed: the status needs no write.</summary>
    Unchanged,

    /// <summary>Reason, message or observedGeneration changed; the status did not.</summary>
    Updated,

    /// <summary>The condition is new or its status flipped (lastTransitionTime moved): worth an Event.</summary>
    Transitioned,
}

/// <summary>
/// metav1.Condition semantics over a list of <see cref="V1Condition"/>: one entry per type; <c>lastTransitionTime</c>
/// moves only when the status flips; <c>observedGeneration</c> records the spec generation the condition describes;
/// reasons are CamelCase identifiers (<c>InvalidSpec</c>, <c>Reconciled</c>); messages are for humans and must not
/// carry secrets.
/// </summary>
public static partial class ConditionSet
{
    /// <summary>The status strings.</summary>
    public const string True = "True";

    /// <summary>The status strings.</summary>
    public const string False = "False";

    /// <summary>The status strings.</summary>
    public const string Unknown = "Unknown";

    /// <summary>True when <paramref name="reason"/> is CamelCase: a capital letter, then letters and digits, at most 1024 characters.</summary>
    public static bool IsValidReason(string? reason) => reason is { Length: > 0 and <= 1024 } && ReasonPattern().IsMatch(reason);

    /// <summary>The condition of <paramref name="type"/>, or null.</summary>
    public static V1Condition? Find(IEnumerable<V1Condition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => string.Equals(c.Type, type, StringComparison.Ordinal));

    /// <summary>True when the condition of <paramref name="type"/> is <c>True</c>.</summary>
    public static bool IsTrue(IEnumerable<V1Condition>? conditions, string type) => Find(conditions, type)?.Status == True;

    /// <summary>Sets a condition with a boolean status.</summary>
    public static ConditionChange Set(IList<V1Condition> conditions, string type, bool status, string reason, string message, long? observedGeneration, TimeProvider? time = null) =>
        Set(conditions, type, status ? True : False, reason, message, observedGeneration, time);

    /// <summary>
    /// Sets the condition of <paramref name="type"/>: adds it, or updates it in place keeping <c>lastTransitionTime</c>
    /// unless <paramref name="status"/> differs from the current one.
    /// </summary>
    /// <exception cref="ArgumentException">The status is not True/False/Unknown, or the reason is not CamelCase.</exception>
    public static ConditionChange Set(IList<V1Condition> conditions, string type, string status, string reason, string message, long? observedGeneration, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentException.ThrowIfNullOrEmpty(type);
        if (status is not (True or False or Unknown))
        {
            throw new ArgumentException($"Condition status must be True, False or Unknown, not '{status}'.", nameof(status));
        }

        if (!IsValidReason(reason))
        {
            throw new ArgumentException($"Condition reason '{reason}' is not CamelCase.", nameof(reason));
        }

        // Every condition message goes through the same guard as Events and logs: a server's error text quoted in a
        // message (Grafana's, InfluxDB's) may echo a token, and status is readable by anyone who may read the object.
        message = Redactor.Redact(message);
        var now = TruncateToSeconds((time ?? TimeProvider.System).GetUtcNow().UtcDateTime);
        var existing = Find(conditions, type);
        if (existing is null)
        {
            conditions.Add(new V1Condition
            {
                Type = type,
                Status = status,
                Reason = reason,
                Message = message,
                ObservedGeneration = observedGeneration,
                LastTransitionTime = now,
            });
            return ConditionChange.Transitioned;
        }

        var change = ConditionChange.Unchanged;
        if (existing.Status != status)
        {
            existing.Status = status;
            existing.LastTransitionTime = now;
            change = ConditionChange.Transitioned;
        }

        if (existing.Reason != reason || existing.Message != message || existing.ObservedGeneration != observedGeneration)
        {
            existing.Reason = reason;
            existing.Message = message;
            existing.ObservedGeneration = observedGeneration;
            change = change == ConditionChange.Transitioned ? change : ConditionChange.Updated;
        }

        return change;
    }

    /// <summary>Removes the condition of <paramref name="type"/>; true when there was one.</summary>
    public static bool Remove(IList<V1Condition> conditions, string type)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var existing = Find(conditions, type);
        return existing is not null && conditions.Remove(existing);
    }

    // metav1.Time serialises with second precision: keep what the API server will give back, so a re-read compares equal.
    private static DateTime TruncateToSeconds(DateTime t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ReasonPattern();
}

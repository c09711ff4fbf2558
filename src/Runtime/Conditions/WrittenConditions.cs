using System.Collections.Concurrent;
using k8s.Models;

namespace MetricsOperator.Runtime.Conditions;

/// <summary>
/// The conditions this process last wrote, per object UID and condition type, kept until the informer cache shows them.
/// A reconcile queued while another ran reads the object as the cache has it, which can be from before that run's
/// status write: compared with that copy, a condition already reported looks new, and its Event was recorded again.
/// Status writers ask <see cref="Before"/> what the API server holds, and <see cref="Remember"/> what they wrote.
/// </summary>
/// <remarks>An entry lives from a write until the cache shows the same condition; thread-safe.</remarks>
public sealed class WrittenConditions
{
    private readonly ConcurrentDictionary<(string Uid, string Type), Written> written = new();

    /// <summary>How many writes the cache has not shown yet.</summary>
    public int Pending => written.Count;

    /// <summary>
    /// The condition <paramref name="type"/> of object <paramref name="uid"/> as the API server holds it as far as this
    /// process knows: its own last write while <paramref name="cached"/> (the reconcile's copy) does not show it yet,
    /// else <paramref name="cached"/>.
    /// </summary>
    public Written? Before(string? uid, string type, V1Condition? cached)
    {
        var fromCache = cached is null ? (Written?)null : new Written(cached.Status, cached.Reason, cached.Message);
        if (string.IsNullOrEmpty(uid) || !written.TryGetValue((uid, type), out var last))
        {
            return fromCache;
        }

        if (fromCache == last)
        {
            // The cache caught up: from now on it is the truth again (and a later change by anyone shows there).
            written.TryRemove(new KeyValuePair<(string, string), Written>((uid, type), last));
        }

        return last;
    }

    /// <summary>Records that condition <paramref name="type"/> of object <paramref name="uid"/> was written as given.</summary>
    public void Remember(string? uid, string type, string status, string? reason, string? message)
    {
        if (!string.IsNullOrEmpty(uid))
        {
            written[(uid, type)] = new Written(status, reason, message);
        }
    }

    /// <summary>A condition's status, reason and message as written.</summary>
    public readonly record struct Written(string Status, string? Reason, string? Message);
}

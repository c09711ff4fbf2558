using System.Collections.Concurrent;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Backup.Scheduling;

/// <summary>The latest backup results of every stack, in memory: written by <see cref="BackupScheduler"/>, read by <see cref="BackupStep"/>.</summary>
public sealed class BackupResults
{
    private readonly ConcurrentDictionary<(string Stack, string Kind), BackupRecord> records = new();

    /// <summary>The key of a stack: namespace/name.</summary>
    public static string KeyOf(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return $"{StackNames.Namespace(stack)}/{stack.Metadata.Name}";
    }

    /// <summary>The record of <paramref name="kind"/> for <paramref name="stack"/>, or null.</summary>
    public BackupRecord? Get(string stack, string kind) => records.GetValueOrDefault((stack, kind));

    /// <summary>Replaces the record.</summary>
    public void Set(string stack, string kind, BackupRecord record) => records[(stack, kind)] = record;

    /// <summary>Updates the record atomically.</summary>
    public BackupRecord Update(string stack, string kind, Func<BackupRecord?, BackupRecord> change) =>
        records.AddOrUpdate((stack, kind), _ => change(null), (_, old) => change(old));

    /// <summary>Forgets records of stacks and kinds not in <paramref name="keep"/>.</summary>
    public void Retain(IReadOnlySet<(string Stack, string Kind)> keep)
    {
        foreach (var key in records.Keys.Where(k => !keep.Contains(k)).ToList())
        {
            records.TryRemove(key, out _);
        }
    }
}

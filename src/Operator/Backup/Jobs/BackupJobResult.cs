using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MetricsOperator.Backup.Grafana;

namespace MetricsOperator.Backup.Jobs;

/// <summary>
/// What a backup Job's container reports to the operator through its termination message (the kubelet keeps the
/// file's content in the pod's status): the snapshot written, or why it failed. Never a secret.
/// </summary>
public sealed record BackupJobResult
{
    /// <summary>The kubelet keeps at most this many bytes of a termination message.</summary>
    public const int MaxBytes = 4096;

    /// <summary>The newest snapshot after the run (a name such as <c>20250601T030000Z</c>); null when the run failed.</summary>
    [JsonPropertyName("snapshot")]
    public string? Snapshot { get; init; }

    /// <summary>True when a new snapshot was written (false: Grafana had not changed).</summary>
    [JsonPropertyName("written")]
    public bool Written { get; init; }

    /// <summary>Bytes written.</summary>
    [JsonPropertyName("bytes")]
    public long Bytes { get; init; }

    /// <summary>Snapshots deleted by retention (the list is cut short to fit the termination message).</summary>
    [JsonPropertyName("deleted")]
    public IReadOnlyList<string> Deleted { get; init; } = [];

    /// <summary>The BackupReady reason of a failure.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>Why the run failed.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; init; }

    /// <summary>The report of a successful run.</summary>
    public static BackupJobResult Succeeded(BackupRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new BackupJobResult { Snapshot = run.Snapshot, Written = run.Written, Bytes = run.Bytes, Deleted = run.Deleted };
    }

    /// <summary>The report of a failed run.</summary>
    public static BackupJobResult Failed(string reason, string error) => new() { Reason = reason, Error = error };

    /// <summary>The run this result reports; null for a failure.</summary>
    public BackupRunResult? ToRunResult() => Snapshot is { Length: > 0 } snapshot && Error is null ? new BackupRunResult(snapshot, Written, Bytes, Deleted) : null;

    /// <summary>The result as one line of JSON within <see cref="MaxBytes"/>: deleted names and then the error are cut to fit.</summary>
    public string ToJson()
    {
        var result = this;
        while (true)
        {
            var json = JsonSerializer.Serialize(result, BackupJsonContext.Default.BackupJobResult);
            if (Encoding.UTF8.GetByteCount(json) <= MaxBytes)
            {
                return json;
            }

            if (result.Deleted.Count > 0)
            {
                result = result with { Deleted = [.. result.Deleted.Take(result.Deleted.Count / 2)] };
            }
            else if (result.Error is { Length: > 200 } error)
            {
                result = result with { Error = error[..(error.Length / 2)] + "…" };
            }
            else
            {
                // Nothing left to shorten (cannot happen with our fields' sizes): the outcome alone.
                return JsonSerializer.Serialize(new BackupJobResult { Snapshot = result.Snapshot?[..Math.Min(result.Snapshot.Length, 64)], Written = result.Written, Bytes = result.Bytes, Reason = result.Reason }, BackupJsonContext.Default.BackupJobResult);
            }
        }
    }

    /// <summary>Reads a termination message; null when it is not one of ours (empty, logs, cut off).</summary>
    public static BackupJobResult? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text, BackupJsonContext.Default.BackupJobResult);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

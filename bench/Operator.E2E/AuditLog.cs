using System.Globalization;
using System.Text.Json;

namespace MetricsOperator.E2E;

/// <summary>
/// The API server's audit log, read from where the last reading stopped: the operator's requests counted by verb and
/// resource as the API server saw them, and when its first write arrived.
/// </summary>
internal sealed class AuditLog(string path, string user)
{
    private long offset;

    /// <summary>The requests logged since the previous call, as "verb resource" → count.</summary>
    public SortedDictionary<string, int> ReadNew(List<DateTime>? writeTimes = null)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return counts;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (!line.EndsWith('}'))
            {
                break; // a line the API server is still writing: read it next time
            }

            offset += System.Text.Encoding.UTF8.GetByteCount(line) + 1;
            using var e = JsonDocument.Parse(line);
            var root = e.RootElement;
            if (root.GetProperty("user").GetProperty("username").GetString() != user)
            {
                continue;
            }

            var verb = root.GetProperty("verb").GetString() ?? "?";
            var resource = root.TryGetProperty("objectRef", out var o) && o.TryGetProperty("resource", out var r) ? r.GetString() : "-";
            var sub = o.ValueKind == JsonValueKind.Object && o.TryGetProperty("subresource", out var s) ? "/" + s.GetString() : "";
            var key = $"{verb} {resource}{sub}";
            counts[key] = counts.GetValueOrDefault(key) + 1;
            if (writeTimes is not null && verb is "create" or "update" or "patch" or "delete")
            {
                writeTimes.Add(DateTime.Parse(root.GetProperty("requestReceivedTimestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
            }
        }

        return counts;
    }

    /// <summary>"verb resource = n, …" with the total first, or "none".</summary>
    public static string Describe(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "0" : $"{counts.Values.Sum()} ({string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}"))})";

    /// <summary>Counts by verb alone.</summary>
    public static SortedDictionary<string, int> ByVerb(IReadOnlyDictionary<string, int> counts)
    {
        var verbs = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, n) in counts)
        {
            var verb = key.Split(' ')[0];
            verbs[verb] = verbs.GetValueOrDefault(verb) + n;
        }

        return verbs;
    }
}

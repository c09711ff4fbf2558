using System.Text.Json.Nodes;
using k8s.Models;

namespace MetricsOperator.Stacks.WriteAccess;

/// <summary>Merge patches that make an existing Secret hold another's data and annotations.</summary>
internal static class SecretPatch
{
    /// <summary>
    /// The patch making <paramref name="existing"/> hold <paramref name="desired"/>'s data and annotations. It carries the
    /// read resourceVersion, so the API server refuses it (409) when another replica changed the Secret in between.
    /// </summary>
    public static string Replacing(V1Secret existing, V1Secret desired)
    {
        var data = new JsonObject();
        foreach (var (key, value) in desired.Data ?? new Dictionary<string, byte[]>())
        {
            data[key] = Convert.ToBase64String(value);
        }

        foreach (var stale in (existing.Data?.Keys ?? []).Where(k => desired.Data?.ContainsKey(k) != true))
        {
            data[stale] = null;
        }

        var annotations = new JsonObject();
        foreach (var (key, value) in desired.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            annotations[key] = value;
        }

        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = existing.Metadata.ResourceVersion, ["annotations"] = annotations },
            ["data"] = data,
        }.ToJsonString();
    }

    /// <summary>Whether <paramref name="existing"/> already holds <paramref name="desired"/>'s data and annotations.</summary>
    public static bool Holds(V1Secret existing, V1Secret desired)
    {
        var data = existing.Data ?? new Dictionary<string, byte[]>();
        var wanted = desired.Data ?? new Dictionary<string, byte[]>();
        var annotations = existing.Metadata?.Annotations ?? new Dictionary<string, string>();
        return data.Count == wanted.Count
            && wanted.All(w => data.TryGetValue(w.Key, out var have) && have.AsSpan().SequenceEqual(w.Value))
            && (desired.Metadata.Annotations ?? new Dictionary<string, string>()).All(a => annotations.TryGetValue(a.Key, out var v) && v == a.Value);
    }
}

using System.Text.Json.Nodes;

namespace MetricsOperator.Runtime.Client;

/// <summary>RFC 7386 merge patches computed as the difference between two JSON documents.</summary>
public static class JsonMergePatch
{
    /// <summary>
    /// The merge patch that turns <paramref name="from"/> into <paramref name="to"/>: changed members with their new
    /// values, removed members as null, arrays replaced whole. Empty when the two are equal.
    /// </summary>
    public static JsonObject Diff(JsonObject? from, JsonObject? to)
    {
        var patch = new JsonObject();
        from ??= [];
        to ??= [];
        foreach (var (key, _) in from)
        {
            if (!to.ContainsKey(key))
            {
                patch[key] = null;
            }
        }

        foreach (var (key, value) in to)
        {
            from.TryGetPropertyValue(key, out var old);
            if (JsonNode.DeepEquals(old, value) && from.ContainsKey(key))
            {
                continue;
            }

            if (old is JsonObject oldObject && value is JsonObject newObject)
            {
                var child = Diff(oldObject, newObject);
                if (child.Count > 0)
                {
                    patch[key] = child;
                }
            }
            else
            {
                patch[key] = value?.DeepClone();
            }
        }

        return patch;
    }
}

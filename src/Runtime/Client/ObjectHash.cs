using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Client;

/// <summary>
/// A stable hash of the desired state of an object: its JSON with object keys sorted, without the fields the server
/// owns (status, resourceVersion, uid, managedFields, timestamps) and without the hash annotation itself.
/// Stored in an annotation on the applied object, it lets a reconcile tell "what I would apply is what I applied last"
/// from the cache alone, with no write and no read.
/// </summary>
public static class ObjectHash
{
    private static readonly string[] ServerOwnedMetadata = ["resourceVersion", "uid", "managedFields", "creationTimestamp", "generation", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

    /// <summary>The hash (32 lower-case hex digits) of <paramref name="value"/>, ignoring annotation <paramref name="hashAnnotation"/>.</summary>
    public static string Compute(object value, string hashAnnotation)
    {
        ArgumentNullException.ThrowIfNull(value);
        var node = JsonNode.Parse(KubeJson.Serialize(value)) ?? throw new ArgumentException("The value serialises to null.", nameof(value));
        if (node is JsonObject root)
        {
            root.Remove("status");
            if (root["metadata"] is JsonObject metadata)
            {
                foreach (var field in ServerOwnedMetadata)
                {
                    metadata.Remove(field);
                }

                if (metadata["annotations"] is JsonObject annotations)
                {
                    annotations.Remove(hashAnnotation);
                    if (annotations.Count == 0)
                    {
                        metadata.Remove("annotations");
                    }
                }
            }
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteCanonical(writer, node);
        }

        buffer.Position = 0;
        var digest = SHA256.HashData(buffer);
        return Convert.ToHexStringLower(digest, 0, 16);
    }

    /// <summary>Canonical JSON text (sorted keys, no whitespace) of <paramref name="node"/>.</summary>
    public static string Canonical(JsonNode? node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteCanonical(writer, node);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, child) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteCanonical(writer, child);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var child in array)
                {
                    WriteCanonical(writer, child);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}

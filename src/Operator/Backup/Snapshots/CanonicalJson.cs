using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MetricsOperator.Backup.Snapshots;

/// <summary>
/// The one way a backed-up object is written: keys sorted (ordinal), two-space indent, '\n' line ends, a final newline,
/// no escaping of non-ASCII text. The same object always gives the same bytes, so a hash compares content and a
/// <c>diff</c> between two snapshots shows only what changed.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonWriterOptions Writer = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };

    /// <summary>The canonical bytes of <paramref name="node"/>.</summary>
    public static byte[] Serialize(JsonNode? node)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Writer))
        {
            Write(writer, node);
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Parses canonical (or any) JSON bytes.</summary>
    public static JsonNode? Parse(byte[] bytes) => JsonNode.Parse(bytes);

    /// <summary>True when two nodes have the same canonical form.</summary>
    public static bool Same(JsonNode? a, JsonNode? b) => Serialize(a).AsSpan().SequenceEqual(Serialize(b));

    /// <summary>The text form, for messages and tests.</summary>
    public static string Text(JsonNode? node) => Encoding.UTF8.GetString(Serialize(node));

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject o:
                writer.WriteStartObject();
                foreach (var (key, value) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray a:
                writer.WriteStartArray();
                foreach (var item in a)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}

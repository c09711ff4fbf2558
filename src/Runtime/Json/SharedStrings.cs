using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// Reads short JSON strings as one shared instance per text: what a long-lived cache holds thousands of times over
/// (namespaces, label and annotation keys, condition types and reasons, a Grafana folder's UID on each of its rules,
/// a datasource's UID on each query) is then one string, not one per object.
/// </summary>
/// <remarks>
/// A fixed table of slots indexed by the text's hash, not a dictionary: it never grows (at most
/// <see cref="Slots"/> strings of at most <see cref="MaxLength"/> characters stay reachable from it), takes no lock (a
/// slot is one reference, written whole; a reader checks the text before it shares), and a text that loses its slot to
/// another is simply read into a new string next time, as without the table. A text is kept only the second time its
/// hash is seen in its slot: a string the table holds lives as long as the table, long enough to reach the GC's oldest
/// generation, where an evicted one stays until a full GC. Kept at first sight, every unique value read (UIDs,
/// resourceVersions, the timestamps of each Grafana answer, the objects of a relist) went there. (Three end-to-end runs
/// kept at first sight grew 3–14 MiB across API server restarts, one without the table 1 MiB; later runs of one binary
/// ranged +0.7 to +25 MiB, from a burst of reconciles after a restart, so those runs alone do not prove the cause.)
/// Strings are immutable, so sharing one between objects changes nothing they can see.
/// Added to <see cref="KubeJson.Options"/> and to the Grafana client's options; source-generated metadata asks the
/// options' converters first, so it applies to every string property, list item, dictionary key and value.
/// </remarks>
public sealed class SharedStrings : JsonConverter<string>
{
    /// <summary>
    /// The longest text shared; longer ones (queries, certificates) are read as they are. 128: status messages that
    /// batches of objects carry word for word ("no data in the last 5m (queries A) when checked at …", 72 characters)
    /// were 1 MB of copies at 1000 AppAlerts × 5 rules under a limit of 64 (docs/performance.md, sixteenth pass).
    /// </summary>
    public const int MaxLength = 128;

    /// <summary>How many strings the table holds.</summary>
    public const int Slots = 1 << 14;

    private readonly string?[] table = new string?[Slots];

    // Per slot, the hash of the last text that missed it: a text is kept when it misses twice in a row.
    private readonly int[] lastMiss = new int[Slots];

    /// <summary>The one instance every options object shares, so the same text read by any of them is one string.</summary>
    public static SharedStrings Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HandleNull => false;

    /// <summary>The shared string holding <paramref name="text"/>.</summary>
    public string Share(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return "";
        }

        if (text.Length > MaxLength)
        {
            return new string(text);
        }

        var hash = string.GetHashCode(text);
        var index = hash & (Slots - 1);
        var held = Volatile.Read(ref table[index]);
        if (held is not null && text.SequenceEqual(held))
        {
            return held;
        }

        var made = new string(text);
        if (Interlocked.Exchange(ref lastMiss[index], hash) == hash)
        {
            Volatile.Write(ref table[index], made);
        }

        return made;
    }

    /// <inheritdoc/>
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadText(ref reader);

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    /// <inheritdoc/>
    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadText(ref reader)!;

    /// <inheritdoc/>
    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(value);
    }

    private string? ReadText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            // What the built-in converter does with a number or object where a string belongs: fail, naming the token.
            return reader.GetString();
        }

        // UTF-8 takes at least as many bytes as UTF-16 takes chars, and unescaping only shortens: a value of at most
        // MaxLength bytes fits. CopyString unescapes and validates as GetString does.
        if (reader.HasValueSequence || reader.ValueSpan.Length > MaxLength)
        {
            return reader.GetString();
        }

        Span<char> text = stackalloc char[MaxLength];
        return Share(text[..reader.CopyString(text)]);
    }
}

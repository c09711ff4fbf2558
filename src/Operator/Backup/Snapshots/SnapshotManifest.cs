using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MetricsOperator.Backup.Snapshots;

/// <summary>One file of a snapshot as the manifest records it.</summary>
/// <param name="Path">Path inside the snapshot, e.g. <c>dashboards/team-a/abc.json</c>.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes.</param>
/// <param name="Size">Size in bytes.</param>
public sealed record ManifestFile(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("size")] long Size);

/// <summary>
/// <c>manifest.json</c>, written last into every snapshot: a snapshot without one is incomplete and ignored. It says
/// what was backed up (kind, source version, time) and lists every file with its hash, so a restore can refuse a
/// snapshot whose files were changed, cut short or lost.
/// </summary>
public sealed record SnapshotManifest
{
    /// <summary>The manifest's own file name.</summary>
    public const string FileName = "manifest.json";

    /// <summary>
    /// Format version of the manifest: 2 hashes every field a restore trusts (path, SHA-256 and size); 1 (older
    /// snapshots) hashed path and SHA-256 only. Both are verified, and sizes are checked against the bytes either way.
    /// </summary>
    [JsonPropertyName("format")]
    public int Format { get; init; } = CurrentFormat;

    /// <summary>The format this version writes.</summary>
    public const int CurrentFormat = 2;

    /// <summary><c>grafana</c> or <c>influxdb</c>.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    /// <summary>When the snapshot was taken (UTC).</summary>
    [JsonPropertyName("createdAt")]
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Version of the Grafana or InfluxDB backed up.</summary>
    [JsonPropertyName("sourceVersion")]
    public string? SourceVersion { get; init; }

    /// <summary>Which stack it came from (namespace/name), for people browsing the bucket.</summary>
    [JsonPropertyName("stack")]
    public string? Stack { get; init; }

    /// <summary>Hash of the content (every path, file hash and size, not the time): equal hashes mean nothing changed.</summary>
    [JsonPropertyName("contentHash")]
    public required string ContentHash { get; init; }

    /// <summary>Every file but the manifest, sorted by path.</summary>
    [JsonPropertyName("files")]
    public required IReadOnlyList<ManifestFile> Files { get; init; }

    /// <summary>What the source could not give and is not in the snapshot (e.g. an API this Grafana lacks).</summary>
    [JsonPropertyName("notIncluded")]
    public IReadOnlyList<string>? NotIncluded { get; init; }

    /// <summary>
    /// The environment a Grafana snapshot is limited to (an external Grafana several environments share): it holds only
    /// what that environment owns, its policy file only the environment's subtree, and a restore touches only that.
    /// Absent (not null, so older manifests stay byte for byte what they were): the whole Grafana.
    /// </summary>
    [JsonPropertyName("environment")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Environment { get; init; }

    /// <summary>
    /// The content hash of a set of files in manifest format <paramref name="format"/>: SHA-256 over "path sha256 size\n"
    /// lines in path order (format 1: "path sha256\n").
    /// </summary>
    public static string ContentHashOf(IEnumerable<ManifestFile> files, int format = CurrentFormat)
    {
        ArgumentNullException.ThrowIfNull(files);
        var lines = string.Concat(files.OrderBy(f => f.Path, StringComparer.Ordinal).Select(f =>
            format >= 2 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{f.Path} {f.Sha256} {f.Size}\n") : $"{f.Path} {f.Sha256}\n"));
        return CanonicalJson.Sha256(System.Text.Encoding.UTF8.GetBytes(lines));
    }

    /// <summary>The manifest's canonical bytes.</summary>
    public byte[] ToBytes() => CanonicalJson.Serialize(System.Text.Json.JsonSerializer.SerializeToNode(this, BackupJsonContext.Default.SnapshotManifest));

    /// <summary>Reads a manifest; null when the bytes are not one.</summary>
    public static SnapshotManifest? Parse(byte[] bytes)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(bytes, BackupJsonContext.Default.SnapshotManifest);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>A manifest's JSON, for tests that tamper with one.</summary>
    public JsonNode ToNode() => System.Text.Json.JsonSerializer.SerializeToNode(this, BackupJsonContext.Default.SnapshotManifest)!;
}

namespace MetricsOperator.Backup.Snapshots;

/// <summary>
/// Whether a snapshot's files are the ones its manifest lists: a pure check over what was read, so the rules
/// (missing, changed, unlisted) are tested without a store.
/// </summary>
public static class ManifestVerification
{
    /// <summary>
    /// The problems found, one per file, empty when the snapshot is intact. <paramref name="actual"/> maps each path
    /// present in the snapshot to the SHA-256 and the length of its bytes.
    /// </summary>
    public static IReadOnlyList<string> Problems(SnapshotManifest manifest, IReadOnlyDictionary<string, (string Sha256, long Size)> actual)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(actual);
        var problems = new List<string>();
        foreach (var file in manifest.Files)
        {
            if (!actual.TryGetValue(file.Path, out var found))
            {
                problems.Add($"{file.Path} is missing");
            }
            else if (!string.Equals(found.Sha256, file.Sha256, StringComparison.Ordinal))
            {
                problems.Add($"{file.Path} has SHA-256 {found.Sha256[..12]}…, the manifest says {file.Sha256[..Math.Min(12, file.Sha256.Length)]}…");
            }
            else if (found.Size != file.Size)
            {
                problems.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{file.Path} has {found.Size} bytes, the manifest says {file.Size}"));
            }
        }

        var listed = manifest.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(actual.Keys.Where(p => !listed.Contains(p)).Order(StringComparer.Ordinal).Select(p => $"{p} is not in the manifest"));
        if (!string.Equals(SnapshotManifest.ContentHashOf(manifest.Files, manifest.Format), manifest.ContentHash, StringComparison.Ordinal))
        {
            problems.Add("the manifest's content hash does not match its file list (the manifest was edited)");
        }

        return problems;
    }
}

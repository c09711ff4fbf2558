using System.Text.Json.Serialization;
using MetricsOperator.Backup.Jobs;
using MetricsOperator.Backup.Snapshots;

namespace MetricsOperator.Backup;

/// <summary>Source-generated JSON metadata of what backup Jobs write (their result, a snapshot's manifest), with
/// System.Text.Json's default settings as before, so trimmed and Native AOT binaries read and write the same bytes.</summary>
[JsonSerializable(typeof(BackupJobResult))]
[JsonSerializable(typeof(SnapshotManifest))]
internal sealed partial class BackupJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;
using MetricsOperator.Backup.Jobs;
using MetricsOperator.Backup.Snapshots;

namespace MetricsOperator.Backup;

/// <summary>
/// Source-generated metadata of the JSON the backups write and read back (a job's termination message, a snapshot's
/// manifest), with System.Text.Json's default settings as before, so no reflection is needed.
/// </summary>
[JsonSerializable(typeof(BackupJobResult))]
[JsonSerializable(typeof(SnapshotManifest))]
internal sealed partial class BackupJsonContext : JsonSerializerContext
{
}

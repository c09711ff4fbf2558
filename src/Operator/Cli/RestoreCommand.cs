using System.CommandLine;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Grafana;

namespace MetricsOperator.Cli;

/// <summary>
/// <c>restore grafana|influxdb --from &lt;snapshot&gt;</c>: puts a backup back. The snapshot is checked against its
/// manifest before anything is written. Secrets come from the environment, never from arguments (which show in
/// process lists and shell history): <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c> for S3,
/// <c>GRAFANA_TOKEN</c> or <c>GRAFANA_USER</c>/<c>GRAFANA_PASSWORD</c>, <c>INFLUX_TOKEN</c> (the admin token).
/// </summary>
public static class RestoreCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var command = new Command("restore", "Restore Grafana's configuration or InfluxDB's data from a backup snapshot.");
        command.Subcommands.Add(Grafana());
        command.Subcommands.Add(InfluxDb());
        return command;
    }

    private sealed record Common(Option<string> From, DestinationOptions Destination)
    {
        public static Common Create() => new(
            new Option<string>("--from") { Description = "Snapshot to restore: its name (20250101T030000Z), its path as in status (grafana/20250101T030000Z), or latest.", Required = true },
            DestinationOptions.Create());

        public void AddTo(Command command)
        {
            command.Options.Add(From);
            Destination.AddTo(command);
        }
    }

    private static Command Grafana()
    {
        var common = Common.Create();
        var url = new Option<string>("--grafana-url") { Description = "Grafana's root URL.", Required = true };
        var command = new Command("grafana", "Restore Grafana's folders, dashboards, alert rules, contact points, policies and datasources; writes only what differs, deletes nothing.") { url };
        common.AddTo(command);
        command.SetAction(async (result, cancellationToken) => await RunAsync(result, async () =>
        {
            var credentials = CommandEnvironment.Grafana();
            using var destination = common.Destination.Open(result);
            using var api = new GrafanaConfigApi(new Uri(result.GetRequiredValue(url)), credentials);
            var restored = await new GrafanaRestorer(api, new SnapshotStore(destination, SnapshotNames.Grafana))
                .RestoreAsync(Snapshot(result, common, SnapshotNames.Grafana), cancellationToken).ConfigureAwait(false);
            var output = result.InvocationConfiguration.Output;
            output.WriteLine($"Restored Grafana from snapshot {restored.Snapshot}: {restored.Written.Count} objects written, {restored.Skipped.Count} skipped.");
            foreach (var path in restored.Written)
            {
                output.WriteLine($"  wrote {path}");
            }

            foreach (var skipped in restored.Skipped)
            {
                output.WriteLine($"  skipped {skipped}");
            }
        }).ConfigureAwait(false));
        return command;
    }

    private static Command InfluxDb()
    {
        var common = Common.Create();
        var url = new Option<string>("--influxdb-url") { Description = "InfluxDB's URL.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace buckets that exist and hold data (they are deleted first)." };
        var command = new Command("influxdb", "Restore the buckets of an InfluxDB data snapshot; refuses a bucket that holds data unless --force.") { url, force };
        common.AddTo(command);
        command.SetAction(async (result, cancellationToken) => await RunAsync(result, async () =>
        {
            using var destination = common.Destination.Open(result);
            using var api = new InfluxBackupApi(new Uri(result.GetRequiredValue(url)), CommandEnvironment.InfluxDb());
            var restored = await new InfluxRestore(api, new SnapshotStore(destination, SnapshotNames.InfluxDb))
                .RestoreAsync(Snapshot(result, common, SnapshotNames.InfluxDb), result.GetValue(force), cancellationToken).ConfigureAwait(false);
            result.InvocationConfiguration.Output.WriteLine(
                $"Restored InfluxDB from snapshot {restored.Snapshot}: buckets {string.Join(", ", restored.Buckets.Keys)}, {restored.Shards} shards.");
        }).ConfigureAwait(false));
        return command;
    }

    private static string Snapshot(ParseResult result, Common common, string kind) =>
        SnapshotNames.Parse(kind, result.GetRequiredValue(common.From))
            ?? throw new ArgumentException($"--from {result.GetRequiredValue(common.From)} is not a {kind} snapshot name (yyyyMMddTHHmmssZ, {kind}/<name>, or latest)");

    // Expected failures end in one line on standard error and exit code 1 (2 for a refusal that --force overrides).
    private static async Task<int> RunAsync(ParseResult result, Func<Task> restore)
    {
        var error = result.InvocationConfiguration.Error;
        try
        {
            await restore().ConfigureAwait(false);
            return 0;
        }
        catch (RestoreRefusedException e)
        {
            await error.WriteLineAsync($"Refused: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception e) when (e is CorruptSnapshotException or BackupDestinationException or GrafanaApiException or InfluxBackupException or ArgumentException)
        {
            await error.WriteLineAsync($"Restore failed: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}

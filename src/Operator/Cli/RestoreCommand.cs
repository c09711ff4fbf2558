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
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan (what would be created, replaced, left with a placeholder, and every problem) and write nothing." };
        var secretFiles = new Option<string[]>("--secret-file")
        {
            Description = "uid/field=path: the value of a secret setting the snapshot left out (a contact point's settings key, a datasource's secureJsonData key), read from a file (e.g. a mounted Secret). Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var secretsNamespace = new Option<string>("--secrets-namespace")
        {
            Description = "Read secrets back from this namespace with the current kubeconfig: the Secret each contact point's snapshot records (secretRef, from spec.grafana.contactPoints), and the stack's Grafana read token (<stack>-grafana-token) for its InfluxDB datasources.",
        };
        var command = new Command("grafana", "Restore Grafana's folders, dashboards, alert rules, contact points, policies and datasources: plans first, refuses a plan that cannot complete, writes only what differs, deletes only the duplicate a fresh Grafana's built-in contact point would make.")
        {
            url, dryRun, secretFiles, secretsNamespace,
        };
        common.AddTo(command);
        command.SetAction(async (result, cancellationToken) => await RunAsync(result, async () =>
        {
            var credentials = CommandEnvironment.Grafana();
            using var destination = common.Destination.Open(result);
            using var api = new GrafanaConfigApi(new Uri(result.GetRequiredValue(url)), credentials);
            var restorer = new GrafanaRestorer(api, new SnapshotStore(destination, SnapshotNames.Grafana));
            var name = Snapshot(result, common, SnapshotNames.Grafana);
            var secrets = RestoreSecretSources.FromFiles(result.GetValue(secretFiles) ?? []);
            if (result.GetValue(secretsNamespace) is { Length: > 0 } ns)
            {
                var (_, files, manifest) = await restorer.ReadAsync(name, cancellationToken).ConfigureAwait(false);
                await RestoreSecretSources.FromClusterAsync(secrets, files, ns, manifest.Stack, cancellationToken, manifest.Environment).ConfigureAwait(false);
            }

            var output = result.InvocationConfiguration.Output;
            try
            {
                var restored = await restorer.RestoreAsync(name, cancellationToken, secrets, result.GetValue(dryRun)).ConfigureAwait(false);
                RestorePlanText.Write(output, restored.Snapshot, restored.Plan);
                output.WriteLine(restored.DryRun
                    ? "Dry run: nothing was written."
                    : $"Restored Grafana from snapshot {restored.Snapshot}: {restored.Written.Count} writes done.");
                if (restored.Plan.Secrets.Any(s => s.IsPlaceholder) && !restored.DryRun)
                {
                    result.InvocationConfiguration.Error.WriteLine(
                        $"WARNING: {restored.Plan.Secrets.Count(s => s.IsPlaceholder)} secret settings hold a placeholder (listed above as PLACEHOLDER): notifications through them fail until the secret is entered in Grafana or the restore runs again with --secret-file or --secrets-namespace.");
                }
            }
            catch (RestoreIncompleteException e)
            {
                foreach (var step in e.Written)
                {
                    output.WriteLine($"  done     {RestorePlanText.Describe(step)}");
                }

                foreach (var step in e.NotWritten)
                {
                    output.WriteLine($"  not done {RestorePlanText.Describe(step)}");
                }

                throw;
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
        catch (Exception e) when (e is CorruptSnapshotException or BackupDestinationException or GrafanaApiException or InfluxBackupException or ArgumentException or RestoreIncompleteException or k8s.Autorest.HttpOperationException)
        {
            await error.WriteLineAsync($"Restore failed: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}

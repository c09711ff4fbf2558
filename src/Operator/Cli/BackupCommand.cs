using System.CommandLine;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Backup.Jobs;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Backup.Snapshots;

namespace MetricsOperator.Cli;

/// <summary>
/// <c>backup grafana|influxdb</c>: one backup run to a folder or a bucket, then retention. The operator runs this in a
/// Job for PVC destinations (the Job mounts the claim at <c>--dir</c>); people can run it by hand for a backup now.
/// Secrets come from the environment, as for <c>restore</c>. With <c>--result-file</c> the outcome is also written
/// there as JSON (<see cref="BackupJobResult"/>): the Job points it at its termination message.
/// </summary>
public static class BackupCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var command = new Command("backup", "Back up Grafana's configuration or InfluxDB's data once, to a folder or an S3 bucket, and apply retention.");
        command.Subcommands.Add(Grafana());
        command.Subcommands.Add(InfluxDb());
        return command;
    }

    private sealed record Common(DestinationOptions Destination, Option<int> Keep, Option<int?> MaxAgeDays, Option<string?> Stack, Option<string?> ResultFile)
    {
        public static Common Create() => new(
            DestinationOptions.Create(),
            new Option<int>("--keep") { Description = "Snapshots to keep (spec.backup.*.keep).", DefaultValueFactory = _ => 7 },
            new Option<int?>("--max-age-days") { Description = "Also delete snapshots older than this, never the newest (spec.backup.*.maxAgeDays)." },
            new Option<string?>("--stack") { Description = "namespace/name of the MetricsStack, recorded in the manifest." },
            new Option<string?>("--result-file") { Description = "Also write the outcome here as JSON (a Job's termination message)." });

        public void AddTo(Command command)
        {
            Destination.AddTo(command);
            command.Options.Add(Keep);
            command.Options.Add(MaxAgeDays);
            command.Options.Add(Stack);
            command.Options.Add(ResultFile);
        }

        public BackupRunOptions Options(ParseResult result, IReadOnlyDictionary<string, string>? secretRefs)
        {
            var keep = result.GetValue(Keep);
            if (keep < 1)
            {
                throw new ArgumentException($"--keep {keep}: keep at least 1 snapshot");
            }

            return new BackupRunOptions(keep, result.GetValue(MaxAgeDays), result.GetValue(Stack), secretRefs);
        }
    }

    private static Command Grafana()
    {
        var common = Common.Create();
        var url = new Option<string>("--grafana-url") { Description = "Grafana's root URL.", Required = true };
        var contactPointSecrets = new Option<string[]>("--contact-point-secret")
        {
            Description = "name=secret[/key]: the Secret (and its key) a contact point's redacted setting comes from (spec.grafana.contactPoints), recorded in the snapshot for restore --secrets-namespace.",
            AllowMultipleArgumentsPerToken = false,
        };
        var environment = new Option<string?>("--environment")
        {
            Description = "Back up only what this environment owns in a Grafana several environments share (spec.environment of an external-mode stack): its folders with their dashboards and rule groups, its datasources, contact points, templates and mute timings, and its subtree of the notification policy.",
        };
        var command = new Command("grafana", "Export Grafana's configuration; a snapshot is written only when something changed.") { url, contactPointSecrets, environment };
        common.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(result, common, BackupKinds.Grafana, async () =>
        {
            var credentials = CommandEnvironment.Grafana();
            var options = common.Options(result, SecretRefs(result.GetValue(contactPointSecrets) ?? [])) with
            {
                Environment = result.GetValue(environment) is { Length: > 0 } scoped ? scoped : null,
            };
            using var destination = common.Destination.Open(result);
            using var api = new GrafanaConfigApi(new Uri(result.GetRequiredValue(url)), credentials);
            return await new GrafanaBackup(api, new SnapshotStore(destination, SnapshotNames.Grafana)).RunAsync(options, cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command InfluxDb()
    {
        var common = Common.Create();
        var url = new Option<string>("--influxdb-url") { Description = "InfluxDB's URL.", Required = true };
        var command = new Command("influxdb", "Back up every bucket's data through InfluxDB's backup API, streamed.") { url };
        common.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(result, common, BackupKinds.InfluxDb, async () =>
        {
            var options = common.Options(result, null);
            using var destination = common.Destination.Open(result);
            using var api = new InfluxBackupApi(new Uri(result.GetRequiredValue(url)), CommandEnvironment.InfluxDb());
            return await new InfluxBackup(api, new SnapshotStore(destination, SnapshotNames.InfluxDb)).RunAsync(options, cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    private static Dictionary<string, string> SecretRefs(IEnumerable<string> pairs)
    {
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == pair.Length - 1)
            {
                throw new ArgumentException($"--contact-point-secret {pair}: expected name=secret");
            }

            refs[pair[..equals]] = pair[(equals + 1)..];
        }

        return refs;
    }

    // One line on standard output or error, exit 0 or 1, and the same outcome as JSON in --result-file.
    private static async Task<int> RunAsync(ParseResult result, Common common, string kind, Func<Task<BackupRunResult>> backup)
    {
        BackupJobResult outcome;
        try
        {
            var run = await backup().ConfigureAwait(false);
            outcome = BackupJobResult.Succeeded(run);
            await result.InvocationConfiguration.Output.WriteLineAsync(
                $"{kind} backup: {(run.Written ? "wrote" : "unchanged since")} {kind}/{run.Snapshot} ({run.Bytes} bytes), {run.Deleted.Count} deleted by retention").ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = e switch
            {
                MissingCredentialException => BackupReasons.CredentialsMissing,
                _ => BackupRun.ReasonOf(e),
            };
            outcome = BackupJobResult.Failed(reason, e.Message);
            await result.InvocationConfiguration.Error.WriteLineAsync($"{kind} backup failed: {e.Message}").ConfigureAwait(false);
        }

        if (result.GetValue(common.ResultFile) is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, outcome.ToJson()).ConfigureAwait(false);
        }

        return outcome.Error is null ? 0 : 1;
    }
}

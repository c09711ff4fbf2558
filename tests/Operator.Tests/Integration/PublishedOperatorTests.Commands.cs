using System.Diagnostics;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Jobs;
using MetricsOperator.Backup.Scheduling;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Stacks;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// The commands the backup Jobs and people run from the image (backup, restore), run as the published binary with
/// only the environment a pod would give it: the image is a Native AOT build, where a type the trimmer dropped or a
/// serialiser that needs reflection fails only at run time, so each command is run here, not only in-process.
/// </summary>
public sealed partial class PublishedOperatorTests
{
    [Fact]
    public async Task The_published_binary_runs_a_backup_jobs_command_with_only_the_jobs_environment_and_reports_missing_credentials()
    {
        await using var grafana = await GrafanaFake.StartNewAsync();
        grafana.AdminPassword = $"pw-{Guid.NewGuid():N}";
        using (var api = new GrafanaConfigApi(grafana.BaseUri, MetricsOperator.Grafana.GrafanaCredentials.Basic("admin", grafana.AdminPassword), TimeSpan.FromSeconds(10)))
        {
            await GrafanaSeed.FillAsync(api);
        }

        var claim = Directory.CreateTempSubdirectory("published-claim-").FullName;
        var result = Path.Combine(Directory.CreateTempSubdirectory("published-result-").FullName, "termination-log");
        // The arguments the operator gives a Grafana backup Job (BackupJobBuilder), with the paths the pod would have.
        string[] args = ["backup", "grafana", "--dir", claim, "--grafana-url", grafana.BaseUri.AbsoluteUri, "--keep", "7", "--stack", "metrics/metrics", "--result-file", result];
        var environment = new Dictionary<string, string>
        {
            ["GRAFANA_USER"] = "admin",
            ["GRAFANA_PASSWORD"] = grafana.AdminPassword + "\n", // a Secret made with echo
        };
        var run = await RunPublishedAsync(args, environment);

        run.ExitCode.ShouldBe(0, run.Output);
        var outcome = BackupJobResult.Parse(await File.ReadAllTextAsync(result)).ShouldNotBeNull();
        var snapshot = outcome.ToRunResult().ShouldNotBeNull().Snapshot;
        File.Exists(Path.Combine(claim, "grafana", snapshot, "manifest.json")).ShouldBeTrue();
        run.Output.ShouldNotContain(grafana.AdminPassword);

        // The Secret without the keys (every Grafana key is optional in the Job): exit 1, and the reason for BackupReady.
        var without = await RunPublishedAsync(args, []);
        without.ExitCode.ShouldBe(1, without.Output);
        var failed = BackupJobResult.Parse(await File.ReadAllTextAsync(result)).ShouldNotBeNull();
        failed.Reason.ShouldBe(BackupReasons.CredentialsMissing);
        failed.Error.ShouldBe("environment variable GRAFANA_USER is not set");
        failed.ToRunResult().ShouldBeNull();
    }

    [Fact]
    public async Task The_published_binary_backs_grafana_up_and_restores_it_into_a_new_grafana_object_by_object()
    {
        await using var original = await GrafanaFake.StartNewAsync();
        using var originalApi = GrafanaSeed.Api(original);
        await GrafanaSeed.FillAsync(originalApi);
        var claim = Directory.CreateTempSubdirectory("published-claim-").FullName;
        var credentials = new Dictionary<string, string> { ["GRAFANA_USER"] = "admin", ["GRAFANA_PASSWORD"] = "admin" };
        var backup = await RunPublishedAsync(["backup", "grafana", "--dir", claim, "--grafana-url", original.BaseUri.AbsoluteUri], credentials);
        backup.ExitCode.ShouldBe(0, backup.Output);

        // The Slack URL is a secret setting: the snapshot leaves it out and the restore reads it from a mounted file.
        await using var restored = await GrafanaFake.StartNewAsync();
        var slackFile = Path.Combine(Directory.CreateTempSubdirectory("published-secret-").FullName, "url");
        await File.WriteAllTextAsync(slackFile, "https://hooks.slack.example/T000/B000/XXXX\n");
        var restore = await RunPublishedAsync(
            ["restore", "grafana", "--from", "latest", "--dir", claim, "--grafana-url", restored.BaseUri.AbsoluteUri, "--secret-file", $"ops-slack/url={slackFile}"],
            credentials);
        restore.ExitCode.ShouldBe(0, restore.Output);
        restore.Output.ShouldNotContain("hooks.slack.example");

        using var restoredApi = GrafanaSeed.Api(restored);
        var before = await new GrafanaExporter(originalApi).ExportAsync(null, default);
        var after = await new GrafanaExporter(restoredApi).ExportAsync(null, default);
        after.Files.Keys.Order(StringComparer.Ordinal).ShouldBe(before.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, content) in before.Files)
        {
            CanonicalJson.Text(after.Files[path]).ShouldBe(CanonicalJson.Text(content), path);
        }

        original.Contract.AssertNoContractViolations();
        restored.Contract.AssertNoContractViolations();
    }

    [Fact]
    public async Task The_published_binary_backs_influxdb_up_to_s3_and_restores_it_into_a_new_influxdb()
    {
        await using var source = await InfluxFake.StartNewAsync();
        var onboarding = source.Onboard();
        await InfluxWrites.WriteAsync(source, onboarding.Token, "requests,app=butler latency=12.5 1700000000000000000\nrequests,app=butler latency=7 1700000001000000000\n");
        var settings = s3.Settings($"published-{Guid.NewGuid():N}/");
        string[] destination = ["--s3-bucket", settings.Bucket, "--s3-prefix", settings.Prefix, "--s3-endpoint", settings.Endpoint!.AbsoluteUri, "--s3-region", settings.Region];
        var s3Keys = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = settings.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = settings.SecretAccessKey };
        var result = Path.Combine(Directory.CreateTempSubdirectory("published-result-").FullName, "termination-log");

        var backup = await RunPublishedAsync(
            ["backup", "influxdb", "--influxdb-url", source.BaseUri.AbsoluteUri, "--keep", "3", "--stack", "metrics/metrics", "--result-file", result, .. destination],
            new Dictionary<string, string>(s3Keys) { ["INFLUX_TOKEN"] = onboarding.Token });
        backup.ExitCode.ShouldBe(0, backup.Output);
        BackupJobResult.Parse(await File.ReadAllTextAsync(result)).ShouldNotBeNull().ToRunResult().ShouldNotBeNull();
        backup.Output.ShouldNotContain(onboarding.Token);

        // A new InfluxDB, set up by the operator: its bucket exists and is empty, so the restore replaces it.
        await using var target = await InfluxFake.StartNewAsync();
        var fresh = target.Onboard();
        var restore = await RunPublishedAsync(
            ["restore", "influxdb", "--from", "latest", "--influxdb-url", target.BaseUri.AbsoluteUri, .. destination],
            new Dictionary<string, string>(s3Keys) { ["INFLUX_TOKEN"] = fresh.Token });
        restore.ExitCode.ShouldBe(0, restore.Output);
        var bucket = target.State.FindBucketByName(onboarding.Bucket.Name).ShouldNotBeNull();
        target.State.Points(bucket.Id).Select(p => p.TimeNs).ShouldBe([1700000000000000000, 1700000001000000000]);
        restore.Output.ShouldNotContain(fresh.Token);

        source.Contract.AssertNoContractViolations();
        target.Contract.AssertNoContractViolations();
    }

    [Theory]
    [MemberData(nameof(GoldenFiles.Inputs), MemberType = typeof(GoldenFiles))]
    public async Task The_published_binary_renders_the_golden_stream(string name, string input)
    {
        // Objects are written through their source-generated JSON and PlainYaml: a kind without JSON metadata in
        // the AOT binary would fail here, not in the in-process golden test.
        var run = await RunPublishedAsync(["render", "-f", input, "-n", MetricsOperator.Tests.Stacks.Stacks.Namespace], [], separateError: true);
        run.ExitCode.ShouldBe(0, run.Output);
        run.Output.ShouldBe(await File.ReadAllTextAsync(GoldenFiles.PathOf(name)), name);
    }

    /// <summary>Runs the published binary with only <paramref name="environment"/> (and a private TMPDIR), as a pod would.</summary>
    /// <remarks>Output is stdout then stderr, or stdout alone with <paramref name="separateError"/> (stderr then goes to the test's log).</remarks>
    private async Task<(int ExitCode, string Output)> RunPublishedAsync(string[] args, Dictionary<string, string> environment, bool separateError = false)
    {
        var info = new ProcessStartInfo(Path.Combine(published.Folder, "metrics-operator")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Clear();
        info.Environment["TMPDIR"] = Directory.CreateTempSubdirectory("published-tmp-").FullName;
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return await RunToExitAsync(info, $"metrics-operator {string.Join(' ', args.Take(2))}", separateError);
    }

    /// <summary>Runs <paramref name="info"/> to its end (60 s at most), writing what it printed to the test's log.</summary>
    private async Task<(int ExitCode, string Output)> RunToExitAsync(ProcessStartInfo info, string label, bool separateError = false)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var text = separateError ? await stdout : await stdout + await stderr;
        output.WriteLine($"{label}: exit {process.ExitCode}\n{await stdout}{await stderr}");
        return (process.ExitCode, text);
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using MetricsOperator.Fakes.Contracts;

namespace MetricsOperator.Tests.Packaging;

/// <summary>
/// hack/fetch-contracts.sh, offline: it fetches from a copy (a folder or a file:// URL) as it would from upstream, and
/// hack/contracts.sha256 is what decides whether anything is written.
/// </summary>
public class FetchContractsTests
{
    private static string Script => RepoPaths.InRepo("hack", "fetch-contracts.sh");

    private static string SumsFile => RepoPaths.InRepo("hack", "contracts.sha256");

    [ContractFact("* (every file hack/contracts.sha256 lists)")]
    public void The_sums_name_every_contract_file_with_its_current_hash()
    {
        var folder = ContractFiles.Folder!;
        var onDisk = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(path) != "SOURCE")
            .ToDictionary(path => Path.GetRelativePath(folder, path).Replace('\\', '/'), Sha256, StringComparer.Ordinal);

        Sums().ShouldBe(onDisk, ignoreOrder: true, $"the contracts changed: bash hack/fetch-contracts.sh --write-sums {folder}");
    }

    [ContractFact("* (every file hack/contracts.sha256 lists)")]
    public async Task A_verified_copy_from_a_file_url_is_written_to_the_destination()
    {
        var dest = Path.Combine(Path.GetTempPath(), "contracts-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, error) = await RunAsync("--from", new Uri(ContractFiles.Folder!).AbsoluteUri, "--dest", dest);

            exitCode.ShouldBe(0, error);
            File.ReadAllBytes(Path.Combine(dest, ContractFiles.InfluxDbFile)).ShouldBe(File.ReadAllBytes(ContractFiles.InfluxDb));
            Directory.EnumerateFiles(dest, "*", SearchOption.AllDirectories).Count().ShouldBe(Sums().Count);
        }
        finally
        {
            DeleteFolder(dest);
        }
    }

    [Fact]
    public async Task A_changed_or_missing_file_stops_the_fetch_and_nothing_is_written()
    {
        // Runs without the real contracts: a copy whose files all differ (empty) or are missing.
        var copy = Path.Combine(Path.GetTempPath(), "contracts-copy-" + Guid.NewGuid().ToString("N"));
        var dest = Path.Combine(Path.GetTempPath(), "contracts-dest-" + Guid.NewGuid().ToString("N"));
        try
        {
            var listed = Sums().Keys.Order(StringComparer.Ordinal).ToList();
            foreach (var path in listed.Skip(1))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy, path))!);
                await File.WriteAllTextAsync(Path.Combine(copy, path), "");
            }

            var (exitCode, error) = await RunAsync("--from", copy, "--dest", dest);

            exitCode.ShouldNotBe(0);
            error.ShouldContain($"{listed[0]}: could not be read from {copy}");
            error.ShouldContain($"{listed[1]}: sha256 {Sha256(Path.Combine(copy, listed[1]))}, expected {Sums()[listed[1]]}");
            Directory.Exists(dest).ShouldBeFalse("a failed fetch writes nothing");
        }
        finally
        {
            DeleteFolder(copy);
        }
    }

    private static Dictionary<string, string> Sums() =>
        File.ReadLines(SumsFile)
            .Select(line => line.Split("  ", 2))
            .ToDictionary(parts => parts[1], parts => parts[0], StringComparer.Ordinal);

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static void DeleteFolder(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Error)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await error);
    }
}

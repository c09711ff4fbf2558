using System.Diagnostics;
using System.Globalization;
using MetricsOperator.Backup.Bench;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Influx;

// Memory of an InfluxDB backup through the operator's path: the backup API's shard stream (generated in process)
// -> InfluxBackup -> SnapshotStore -> S3BackupDestination (multipart, 8 MiB parts) -> s3rver on loopback.
// With --dir, the backup Job's path instead: -> DirectoryBackupDestination -> files in a temporary folder (what a
// Job writes on its claim). Each size runs in its own process so its peak RSS (VmHWM) is its own.
//   dotnet run -c Release --project bench/Backup.Bench               # 256 MiB and 1 GiB to S3, prints a table
//   dotnet run -c Release --project bench/Backup.Bench -- 4096       # other sizes, in MiB
//   dotnet run -c Release --project bench/Backup.Bench -- --dir 256 1024
// Child mode (internal): --child <endpoint|dir> <MiB>.
if (args is ["--child", var target, var mibText])
{
    var endpoint = target == "dir" ? null : new Uri(target);
    var mib = long.Parse(mibText, CultureInfo.InvariantCulture);
    var warm = await BackupAsync(endpoint, 16 * 1024 * 1024); // JIT, SDK and pools warm before the baseline
    var before = Rss.Current();
    var watch = Stopwatch.StartNew();
    var bytes = await BackupAsync(endpoint, mib * 1024 * 1024);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{mib}\t{bytes + warm}\t{watch.Elapsed.TotalSeconds:F1}\t{before / 1048576.0:F0}\t{Rss.Peak() / 1048576.0:F0}"));
    return 0;
}

var toFolder = args.FirstOrDefault() == "--dir";
var sizeArgs = toFolder ? args[1..] : args;
var sizes = sizeArgs.Length > 0 ? sizeArgs.Select(a => long.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [256L, 1024L];
var root = Rss.RepoRoot();
await using var s3 = toFolder ? null : await S3rverProcess.StartAsync(root);
Console.WriteLine(toFolder ? "To a folder (a backup Job's claim):" : "To s3rver (the operator's S3 path):");
Console.WriteLine("shard MiB | seconds | MiB/s | RSS before MiB | peak RSS MiB");
Console.WriteLine("---------:|--------:|------:|---------------:|-------------:");
foreach (var size in sizes)
{
    var self = Environment.ProcessPath!;
    var info = new ProcessStartInfo(self) { RedirectStandardOutput = true };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        info.ArgumentList.Add(typeof(Rss).Assembly.Location);
    }

    foreach (var arg in new[] { "--child", s3?.Endpoint.AbsoluteUri ?? "dir", size.ToString(CultureInfo.InvariantCulture) })
    {
        info.ArgumentList.Add(arg);
    }

    using var child = Process.Start(info)!;
    var line = (await child.StandardOutput.ReadToEndAsync()).Trim();
    await child.WaitForExitAsync();
    if (child.ExitCode != 0)
    {
        Console.Error.WriteLine($"{size} MiB: the child failed ({child.ExitCode}): {line}");
        return 1;
    }

    var f = line.Split('\t');
    var seconds = double.Parse(f[2], CultureInfo.InvariantCulture);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{size,9} | {seconds,7:F1} | {size / seconds,5:F0} | {f[3],14} | {f[4],12}"));
}

return 0;

static async Task<long> BackupAsync(Uri? endpoint, long size)
{
    var folder = endpoint is null ? Directory.CreateTempSubdirectory("backup-bench-").FullName : null;
    try
    {
        using IBackupDestination destination = folder is not null
            ? new DirectoryBackupDestination(folder)
            : new S3BackupDestination(new S3Settings(S3rverProcess.Bucket, $"bench-{Guid.NewGuid():N}", endpoint, "us-east-1", "S3RVER", "S3RVER") { Timeout = TimeSpan.FromMinutes(5) });
        using var handler = new SyntheticInflux(size);
        using var api = new InfluxBackupApi(new Uri("http://influxdb.bench:8086/"), new InfluxSecret("bench-token"), handler);
        var result = await new InfluxBackup(api, new SnapshotStore(destination, SnapshotNames.InfluxDb)).RunAsync(new BackupRunOptions(Keep: 1), default);
        return result.Bytes;
    }
    finally
    {
        if (folder is not null)
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

namespace MetricsOperator.Backup.Bench
{
    /// <summary>Resident set size from /proc (Linux).</summary>
    internal static class Rss
    {
        public static long Current() => Read("VmRSS:");

        public static long Peak() => Read("VmHWM:");

        public static string RepoRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Operator.sln not found above the benchmark");
        }

        private static long Read(string key)
        {
            var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
            return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }
}

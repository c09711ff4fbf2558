using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Backup;

/// <summary>
/// A real S3-compatible server for the backup tests: s3rver (Node), installed by hack/s3rver.sh into a cache outside
/// the checkout and started on a free loopback port with a temporary data folder. Tests reach it through the same
/// <see cref="S3BackupDestination"/> (<see cref="S3Api"/>) the operator uses. s3rver checks a request's access key
/// ID (S3RVER) but not its Signature Version 4, which <see cref="SignatureV4Tests"/> check against AWS's examples. <see cref="StopAsync"/>/<see cref="StartAsync"/>
/// take it down and bring it back on the same port with the same data: "destination down".
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    /// <summary>The bucket created at start.</summary>
    public const string Bucket = "metrics-backups";

    private readonly string data = Path.Combine(Path.GetTempPath(), "metrics-operator-s3rver", $"{Environment.ProcessId}-{Guid.NewGuid():N}");
    private string? entryPoint;
    private Process? process;

    /// <summary>The endpoint, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Endpoint { get; private set; } = new("http://127.0.0.1:1/");

    /// <summary>Settings for a destination under <paramref name="prefix"/> (s3rver accepts S3RVER/S3RVER).</summary>
    public S3Settings Settings(string prefix) => new(Bucket, prefix, Endpoint, "us-east-1", "S3RVER", "S3RVER") { MaxRetries = 0, Timeout = TimeSpan.FromSeconds(10), PartSize = 5 * 1024 * 1024 };

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        entryPoint = await InstallAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        Directory.CreateDirectory(data);
        await StartAsync();
    }

    /// <summary>Starts s3rver (again) on the same port and data folder.</summary>
    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { entryPoint!, "-d", data, "-a", "127.0.0.1", "-p", Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-s", "--configure-bucket", Bucket })
        {
            info.ArgumentList.Add(arg);
        }

        process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Endpoint.Port);
                return;
            }
            catch (SocketException)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"s3rver exited with {process.ExitCode}");
                }

                await Task.Delay(100);
            }
        }

        throw new TimeoutException("s3rver did not listen within 20 s");
    }

    /// <summary>Stops s3rver (connections refused; data kept).</summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        process = null;
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<string> InstallAsync()
    {
        var script = Path.Combine(RepoPaths.Root, "hack", "s3rver.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        using var install = Process.Start(info)!;
        var stdout = install.StandardOutput.ReadToEndAsync();
        var stderr = install.StandardError.ReadToEndAsync();
        await install.WaitForExitAsync();
        return install.ExitCode == 0
            ? (await stdout).Trim()
            : throw new InvalidOperationException($"hack/s3rver.sh failed: {await stderr}");
    }
}

/// <summary>Tests sharing one s3rver.</summary>
[CollectionDefinition(Name)]
public sealed class S3rverTests : ICollectionFixture<S3rverFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "s3rver";
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MetricsOperator.Backup.Bench;

/// <summary>s3rver on a free loopback port with a temporary data folder (installed by hack/s3rver.sh), for the benchmark only.</summary>
internal sealed class S3rverProcess : IAsyncDisposable
{
    public const string Bucket = "bench";

    private readonly Process process;
    private readonly string data;

    private S3rverProcess(Process process, string data, Uri endpoint)
    {
        this.process = process;
        this.data = data;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<S3rverProcess> StartAsync(string repoRoot)
    {
        var install = Process.Start(new ProcessStartInfo("bash", [Path.Combine(repoRoot, "hack", "s3rver.sh")]) { RedirectStandardOutput = true })!;
        var entry = (await install.StandardOutput.ReadToEndAsync()).Trim();
        await install.WaitForExitAsync();
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException("hack/s3rver.sh failed");
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var data = Path.Combine(Path.GetTempPath(), $"backup-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(data);
        var info = new ProcessStartInfo("node", [entry, "-d", data, "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-s", "--configure-bucket", Bucket])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new S3rverProcess(process, data, new Uri($"http://127.0.0.1:{port}/"));
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException("s3rver did not listen within 20 s");
    }

    public async ValueTask DisposeAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        Directory.Delete(data, recursive: true);
    }
}

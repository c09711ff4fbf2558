using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lsst.Metrics.Client.Bench;

/// <summary>
/// The loopback write endpoint for the throughput mode: <c>POST /api/v2/write</c> checks the token and precision,
/// counts lines and answers 204; <c>GET /lines</c> returns the count. Runs in its own process.
/// </summary>
internal static class LoopbackListener
{
    public const string Token = "bench-token";

    public static async Task RunAsync()
    {
        long lines = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        app.Run(async context =>
        {
            var request = context.Request;
            if (request.Method == "GET" && request.Path == "/lines")
            {
                await context.Response.WriteAsync(Interlocked.Read(ref lines).ToString(System.Globalization.CultureInfo.InvariantCulture));
                return;
            }

            if (request.Method != "POST" || request.Path != "/api/v2/write" || request.Query["precision"] != "ns")
            {
                context.Response.StatusCode = 400;
                return;
            }

            if (request.Headers.Authorization.ToString() != $"Token {Token}")
            {
                context.Response.StatusCode = 401;
                return;
            }

            var buffer = new byte[64 * 1024];
            long count = 0;
            var last = (byte)'\n';
            int read;
            while ((read = await request.Body.ReadAsync(buffer)) > 0)
            {
                count += buffer.AsSpan(0, read).Count((byte)'\n');
                last = buffer[read - 1];
            }

            if (last != (byte)'\n')
            {
                count++;
            }

            Interlocked.Add(ref lines, count);
            context.Response.StatusCode = 204;
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"URL={url}");
        Console.Out.Flush();

        // Ends when the parent closes our standard input (or dies).
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
    }
}

/// <summary>The child process running <see cref="LoopbackListener"/>.</summary>
internal sealed class ListenerProcess : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http = new();

    private ListenerProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public static async Task<ListenerProcess> StartAsync()
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            info.ArgumentList.Add(typeof(ListenerProcess).Assembly.Location);
        }

        info.ArgumentList.Add("listen");
        var process = Process.Start(info)!;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("URL=", StringComparison.Ordinal))
            {
                return new ListenerProcess(process, line[4..]);
            }
        }

        throw new InvalidOperationException("the listener process did not report its URL");
    }

    public async Task<long> LinesAsync()
        => long.Parse(await _http.GetStringAsync(new Uri(new Uri(Url), "/lines")), System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _http.Dispose();
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}

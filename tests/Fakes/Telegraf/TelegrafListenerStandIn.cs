using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MetricsOperator.Fakes.Influx;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MetricsOperator.Fakes.Telegraf;

/// <summary>
/// Telegraf's <c>influxdb_v2_listener</c> as a pod started from the operator's rendered <c>telegraf.conf</c> and the env
/// the kubelet resolved for the container would run it: the options are read from the file, <c>${VAR}</c> is substituted
/// from that env, and writes are admitted the way the plugin admits them. Accepted line protocol is kept for the test.
/// </summary>
/// <remarks>
/// The rules it enforces, with their sources:
/// <list type="bullet">
/// <item>The option is <c>token</c> (contracts/telegraf/inputs/influxdb_v2_listener.conf, "Optional token to accept for HTTP authentication").</item>
/// <item>With a non-empty token, the <c>Authorization</c> header must equal <c>Token &lt;token&gt;</c> exactly (constant-time
/// compare); otherwise 401 with the body <c>Unauthorized\n</c> (Go's <c>http.Error</c>, text/plain). An empty token turns the
/// check off. Telegraf internal/http.go, <c>GenericAuthHandler</c>, wired by plugins/inputs/influxdb_v2_listener.</item>
/// <item>Environment variables in the file are written <c>${NAME}</c> and substituted before parsing (contracts/telegraf/CONFIGURATION.md,
/// "Environment Variables"); a variable the env lacks is refused here rather than silently made empty, since the kubelet
/// stand-in only starts a pod whose env resolved.</item>
/// <item>A successful write answers 204; a body that is not line protocol answers 400 (the plugin's <c>invalid</c> error).</item>
/// </list>
/// </remarks>
public sealed class TelegrafListenerStandIn : IAsyncDisposable
{
    private const string Section = "[[inputs.influxdb_v2_listener]]";
    private readonly WebApplication app;
    private readonly string? token;

    private TelegrafListenerStandIn(WebApplication app, string? token)
    {
        this.app = app;
        this.token = token;
    }

    /// <summary>Lines accepted so far, in order.</summary>
    public ConcurrentQueue<string> Accepted { get; } = new();

    /// <summary>How many requests were refused with 401.</summary>
    public int Unauthorized => unauthorized;

    private int unauthorized;

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Whether the listener checks a token at all (false when the file sets none, or it substituted to empty).</summary>
    public bool ChecksToken => !string.IsNullOrEmpty(token);

    /// <summary>Starts the listener the file <paramref name="telegrafConf"/> describes, with the container env <paramref name="environment"/>.</summary>
    public static async Task<TelegrafListenerStandIn> StartAsync(string telegrafConf, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(telegrafConf);
        ArgumentNullException.ThrowIfNull(environment);
        var options = ListenerOptions(Substitute(telegrafConf, environment));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var web = builder.Build();
        options.TryGetValue("token", out var configuredToken);
        var standIn = new TelegrafListenerStandIn(web, configuredToken);
        web.Map("/api/v2/write", standIn.WriteAsync);
        await web.StartAsync();
        standIn.Url = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return standIn;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task WriteAsync(HttpContext context)
    {
        if (ChecksToken)
        {
            var presented = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
            if (!CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes("Token " + token)))
            {
                Interlocked.Increment(ref unauthorized);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("Unauthorized\n");
                return;
            }
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        Stream body = context.Request.Body;
        if (context.Request.Headers.ContentEncoding.ToString() == "gzip")
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }

        using var reader = new StreamReader(body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var (points, error) = LineProtocol.Parse(text, context.Request.Query["precision"].FirstOrDefault() ?? "ns", (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100);
        if (error is not null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"code":"invalid","message":"{{error.Message.Replace("\"", "'", StringComparison.Ordinal)}}"}""");
            return;
        }

        foreach (var point in points)
        {
            Accepted.Enqueue(LineProtocol.Format(point));
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static string Substitute(string conf, IReadOnlyDictionary<string, string> environment) =>
        Regex.Replace(conf, @"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", m => environment.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new InvalidOperationException($"telegraf.conf refers to ${{{m.Groups[1].Value}}}, which the container's env does not set"));

    /// <summary>The <c>key = "value"</c> options of the first listener section (only the string options it needs).</summary>
    private static Dictionary<string, string> ListenerOptions(string conf)
    {
        var start = conf.IndexOf(Section, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException("telegraf.conf has no [[inputs.influxdb_v2_listener]] section");
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in conf[(start + Section.Length)..].Split('\n').Skip(1))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith('['))
            {
                break;
            }

            var match = Regex.Match(trimmed, "^([a-z_]+)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"$");
            if (match.Success)
            {
                options[match.Groups[1].Value] = Regex.Unescape(match.Groups[2].Value);
            }
        }

        return options;
    }
}

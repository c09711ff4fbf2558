using MetricsOperator.TestSupport;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lsst.Metrics.Client.Tests.Support;

/// <summary>One request the listener saw.</summary>
public sealed record WriteRequest(DateTimeOffset At, int Status, int Lines, string? ContentEncoding, string? Precision, string? Error, string? Authorization = null);

/// <summary>A scripted answer to the next write request.</summary>
public sealed record ScriptedResponse(int Status, string? RetryAfter = null, string? Message = null);

/// <summary>
/// A loopback HTTP listener implementing InfluxDB v2's <c>POST /api/v2/write</c>: checks <c>Authorization: Token …</c>,
/// <c>org</c>, <c>bucket</c> and <c>precision</c>, reads gzip bodies, parses every line strictly
/// (<see cref="LineProtocolParser"/>) and answers 204; a malformed line fails the request with 400 and is recorded.
/// It can be made unavailable (connections are aborted, as when the endpoint is down) and can play scripted answers.
/// In counting mode (for the benchmark) it only counts lines instead of parsing them.
/// </summary>
public sealed class LoopbackInflux : IAsyncDisposable
{
    public const string Token = "test-token";
    public const string Org = "rubin";
    public const string Bucket = "apps";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();
    private readonly ConcurrentQueue<ParsedPoint> _points = new();
    private readonly ConcurrentQueue<WriteRequest> _requests = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly bool _countOnly;
    private long _lineCount;
    private volatile bool _available = true;

    private LoopbackInflux(WebApplication app, bool countOnly)
    {
        _app = app;
        _countOnly = countOnly;
    }

    public string Url { get; private set; } = "";

    /// <summary>When false, every connection is aborted without an answer.</summary>
    public bool Available
    {
        get => _available;
        set => _available = value;
    }

    /// <summary>The token the listener accepts; change it to model a rotation by the operator.</summary>
    public string ExpectedToken { get; set; } = Token;

    /// <summary>
    /// When set, every accepted body is relayed as it came (gzip or not) to a real InfluxDB 1.x <c>/write</c> (database =
    /// bucket) and InfluxDB's answer is returned, its 1.x error body <c>{"error":…}</c> in v2's shape
    /// <c>{"code":"invalid","message":…}</c> (what InfluxDB 2 answers, and what InfluxDB.Client reads).
    /// </summary>
    public RealInflux? RelayTo { get; set; }

    public IReadOnlyCollection<ParsedPoint> Points => _points;
    public IReadOnlyCollection<WriteRequest> Requests => _requests;
    public IReadOnlyCollection<string> Errors => _errors;
    public long LineCount => Interlocked.Read(ref _lineCount);

    public void Enqueue(ScriptedResponse response) => _script.Enqueue(response);

    public static async Task<LoopbackInflux> StartAsync(bool countOnly = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        var server = new LoopbackInflux(app, countOnly);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!_available)
        {
            context.Abort();
            return;
        }

        var request = context.Request;
        var encoding = request.Headers.ContentEncoding.ToString();
        var precision = request.Query["precision"].ToString();

        async Task Answer(int status, string? error, int lines, string? retryAfter = null)
        {
            _requests.Enqueue(new WriteRequest(DateTimeOffset.UtcNow, status, lines, encoding, precision, error, request.Headers.Authorization.ToString()));
            if (error is not null)
            {
                _errors.Enqueue(error);
            }

            context.Response.StatusCode = status;
            if (retryAfter is not null)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            if (status >= 400)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync($"{{\"code\":\"invalid\",\"message\":\"{error?.Replace("\"", "'", StringComparison.Ordinal)}\"}}");
            }
        }

        if (request.Method != "POST" || request.Path != "/api/v2/write")
        {
            await Answer(404, $"unexpected {request.Method} {request.Path}", 0);
            return;
        }

        if (request.Headers.Authorization.ToString() != $"Token {ExpectedToken}")
        {
            // Telegraf's influxdb_v2_listener (internal/http.go GenericAuthHandler): the whole header must equal
            // "Token <token>"; otherwise 401 with a plain-text body.
            _requests.Enqueue(new WriteRequest(DateTimeOffset.UtcNow, 401, 0, encoding, precision, null, request.Headers.Authorization.ToString()));
            context.Response.StatusCode = 401;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("Unauthorized\n");
            return;
        }

        if (request.Query["org"] != Org || (RelayTo is null && request.Query["bucket"] != Bucket))
        {
            await Answer(404, $"org/bucket not found: {request.Query["org"]}/{request.Query["bucket"]}", 0);
            return;
        }

        if (precision is not ("ns" or "us" or "ms" or "s"))
        {
            await Answer(400, $"bad precision '{precision}'", 0);
            return;
        }

        if (RelayTo is { } influx && _script.IsEmpty)
        {
            using var raw = new MemoryStream();
            await request.Body.CopyToAsync(raw);
            var (status, text) = await influx.WriteAsync(request.Query["bucket"]!, raw.ToArray(), encoding);
            string? message = null;
            if (status >= 400)
            {
                using var error = System.Text.Json.JsonDocument.Parse(text);
                message = error.RootElement.GetProperty("error").GetString();
            }

            _requests.Enqueue(new WriteRequest(DateTimeOffset.UtcNow, status, 0, encoding, precision, message));
            context.Response.StatusCode = status;
            if (message is not null)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsJsonAsync(new { code = "invalid", message });
            }

            return;
        }

        using var body = new MemoryStream();
        if (encoding == "gzip")
        {
            await using var gz = new GZipStream(request.Body, CompressionMode.Decompress);
            await gz.CopyToAsync(body);
        }
        else if (encoding is "" or "identity")
        {
            await request.Body.CopyToAsync(body);
        }
        else
        {
            await Answer(415, $"unsupported encoding '{encoding}'", 0);
            return;
        }

        if (_script.TryDequeue(out var scripted))
        {
            await Answer(scripted.Status, scripted.Status >= 400 ? scripted.Message ?? $"scripted {scripted.Status}" : null, 0, scripted.RetryAfter);
            return;
        }

        int lines;
        if (_countOnly)
        {
            lines = CountLines(body.GetBuffer().AsSpan(0, (int)body.Length));
        }
        else
        {
            List<ParsedPoint> parsed;
            try
            {
                parsed = LineProtocolParser.ParseBody(body.GetBuffer().AsSpan(0, (int)body.Length));
            }
            catch (LineProtocolException e)
            {
                await Answer(400, e.Message, 0);
                return;
            }

            foreach (var p in parsed)
            {
                if (p.Timestamp is null)
                {
                    await Answer(400, "point without a timestamp", 0);
                    return;
                }
            }

            foreach (var p in parsed)
            {
                _points.Enqueue(p);
            }

            lines = parsed.Count;
        }

        Interlocked.Add(ref _lineCount, lines);
        await Answer(204, null, lines);
    }

    private static int CountLines(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return 0;
        }

        var n = body.Count((byte)'\n');
        return body[^1] == (byte)'\n' ? n : n + 1;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, or fails after <paramref name="timeout"/> (a hang guard, not a speed check).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met: {what}");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace MetricsOperator.Runtime.Hosting;

/// <summary>
/// Serves <c>/healthz</c>, <c>/readyz</c> and Prometheus <c>/metrics</c> over plain HTTP/1.1: one request per
/// connection, answered with <c>Connection: close</c>. The kubelet's probes and Prometheus' scrapes are all that
/// call it, a few requests a minute, so it is a socket and a switch rather than a web server: ASP.NET Core, which
/// served these three paths before, was 4.2 MB of the 33.4 MB Native AOT binary and 6.5 MiB of its idle RSS
/// (docs/performance.md, fourteenth pass). A client gets <see cref="HeadTimeout"/> to send a head of at most
/// <see cref="MaxHeadBytes"/>, and at most <see cref="MaxConnections"/> are served at once, so a slow or hostile
/// client cannot hold the probes up. Requests are not logged: probes come every few seconds.
/// </summary>
public sealed partial class ProbeServer(IPEndPoint address, Func<bool> isReady, CollectorRegistry registry, ILogger<ProbeServer> logger) : IHostedService, IDisposable
{
    /// <summary>The largest request head read; a longer one is answered 431.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    /// <summary>Connections served at the same time; one more is closed unanswered.</summary>
    public const int MaxConnections = 16;

    /// <summary>How long a client has to send its request head.</summary>
    public static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim slots = new(MaxConnections);
    private readonly CancellationTokenSource stopping = new();
    private TcpListener? listener;
    private Task accepting = Task.CompletedTask;

    /// <summary>Where it listens once started (the port chosen when the address asked for 0).</summary>
    public IPEndPoint? Endpoint => listener?.LocalEndpoint as IPEndPoint;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        listener = new TcpListener(address);
        if (address.Address.Equals(IPAddress.IPv6Any))
        {
            listener.Server.DualMode = true;
        }

        listener.Start();
        LogListening(Endpoint!);
        accepting = AcceptAsync(listener, stopping.Token);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        listener?.Stop();
        await accepting.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        listener?.Dispose();
        stopping.Dispose();
        slots.Dispose();
    }

    private async Task AcceptAsync(TcpListener server, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await server.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // A connection reset before it was accepted: the listener is fine.
                LogDropped(e.Message);
                continue;
            }

            if (!slots.Wait(0, CancellationToken.None))
            {
                socket.Dispose();
                continue;
            }

            _ = ServeAsync(socket, cancellationToken);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(HeadTimeout);
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            var head = await ReadHeadAsync(stream, timeout.Token).ConfigureAwait(false);
            if (head is null)
            {
                return; // closed before a whole head arrived: nothing to answer
            }

            var response = head.Length > MaxHeadBytes
                ? Response.Text(431, "request head too large").Serialize(headOnly: false)
                : ProbeRequest.Parse(head) is { } request
                    ? await AnswerAsync(request, timeout.Token).ConfigureAwait(false)
                    : Response.Text(400, "bad request").Serialize(headOnly: false);
            await stream.WriteAsync(response, timeout.Token).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            LogDropped(e.Message);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<byte[]> AnswerAsync(ProbeRequest request, CancellationToken cancellationToken)
    {
        var response = request.Path switch
        {
            "/healthz" => Response.Text(200, "ok"),
            "/readyz" => isReady() ? Response.Text(200, "ok") : Response.Text(503, "caches not synced"),
            "/metrics" => await MetricsAsync(request.WantsOpenMetrics, cancellationToken).ConfigureAwait(false),
            _ => null,
        };
        if (response is null)
        {
            return Response.Text(404, "not found").Serialize(headOnly: false);
        }

        return request.Method switch
        {
            "GET" => response.Serialize(headOnly: false),
            "HEAD" => response.Serialize(headOnly: true),
            _ => (Response.Text(405, "only GET and HEAD") with { Allow = "GET, HEAD" }).Serialize(headOnly: false),
        };
    }

    private async Task<Response> MetricsAsync(bool openMetrics, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(body, openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText, cancellationToken).ConfigureAwait(false);
        var contentType = openMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8";
        return new Response(200, contentType, body.ToArray());
    }

    // The head up to its blank line; null when the client closed first. A head longer than MaxHeadBytes comes back
    // with one byte more than the limit, which is answered 431.
    private static async Task<byte[]?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeadBytes + 1];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            filled += read;
            var end = EndOfHead(buffer.AsSpan(0, filled));
            if (end > 0)
            {
                return buffer[..end];
            }
        }

        return buffer;
    }

    private static int EndOfHead(ReadOnlySpan<byte> received)
    {
        var crlf = received.IndexOf("\r\n\r\n"u8);
        if (crlf >= 0)
        {
            return crlf + 4;
        }

        var lf = received.IndexOf("\n\n"u8); // RFC 9112 section 2.2: a bare LF may end a line
        return lf >= 0 ? lf + 2 : 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving /healthz, /readyz and /metrics on http://{Endpoint}")]
    private partial void LogListening(IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A probe connection ended unanswered: {Reason}")]
    private partial void LogDropped(string reason);

    private sealed record Response(int Status, string ContentType, byte[] Body)
    {
        public string? Allow { get; init; }

        public static Response Text(int status, string text) => new(status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text));

        public byte[] Serialize(bool headOnly)
        {
            var head = new StringBuilder()
                .Append("HTTP/1.1 ").Append(Status).Append(' ').Append(Reason(Status)).Append("\r\n")
                .Append("Content-Type: ").Append(ContentType).Append("\r\n")
                .Append("Content-Length: ").Append(Body.Length).Append("\r\n");
            if (Allow is not null)
            {
                head.Append("Allow: ").Append(Allow).Append("\r\n");
            }

            head.Append("Connection: close\r\n\r\n");
            var headBytes = Encoding.ASCII.GetBytes(head.ToString());
            return headOnly ? headBytes : [.. headBytes, .. Body];
        }

        private static string Reason(int status) => status switch
        {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            431 => "Request Header Fields Too Large",
            503 => "Service Unavailable",
            _ => "Status",
        };
    }
}

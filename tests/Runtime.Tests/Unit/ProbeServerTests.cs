using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using MetricsOperator.Runtime.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace MetricsOperator.Runtime.Tests.Unit;

/// <summary>The probe server over real sockets: what the kubelet's probes and a Prometheus scrape get back.</summary>
public sealed class ProbeServerTests : IAsyncLifetime, IDisposable
{
    private readonly CollectorRegistry registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Logs logs = new();
    private volatile bool ready;
    private ProbeServer server = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter("probe_test_total", "A counter for the test.").Inc(3);
        server = new ProbeServer(new IPEndPoint(IPAddress.Loopback, 0), () => ready, registry, logs.CreateLogger<ProbeServer>());
        await server.StartAsync(CancellationToken.None);
        http = new HttpClient { BaseAddress = new Uri($"http://{server.Endpoint}") };
    }

    public Task DisposeAsync() => server.StopAsync(CancellationToken.None);

    public void Dispose()
    {
        http.Dispose();
        server.Dispose();
        logs.Dispose();
    }

    [Fact]
    public async Task Healthz_answers_ok_and_closes_the_connection()
    {
        using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("ok");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        response.Headers.ConnectionClose.ShouldBe(true);
    }

    [Fact]
    public async Task Readyz_follows_readiness()
    {
        using (var before = await http.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            before.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await before.Content.ReadAsStringAsync()).ShouldBe("caches not synced");
        }

        ready = true;
        using var after = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        after.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_or_openmetrics_when_asked()
    {
        using (var text = await http.GetAsync(new Uri("/metrics", UriKind.Relative)))
        {
            text.StatusCode.ShouldBe(HttpStatusCode.OK);
            text.Content.Headers.ContentType!.ToString().ShouldBe("text/plain; version=0.0.4; charset=utf-8");
            (await text.Content.ReadAsStringAsync()).ShouldContain("probe_test_total 3");
        }

        // What Prometheus sends (scrape_protocols' default order).
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/openmetrics-text"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain", 0.5));
        using var open = await http.SendAsync(request);
        open.Content.Headers.ContentType!.MediaType.ShouldBe("application/openmetrics-text");
        var body = await open.Content.ReadAsStringAsync();
        body.ShouldContain("probe_test_total 3");
        body.TrimEnd().ShouldEndWith("# EOF");
    }

    [Fact]
    public async Task A_query_string_is_ignored_and_head_gets_the_headers_alone()
    {
        using (var query = await http.GetAsync(new Uri("/healthz?verbose=1", UriKind.Relative)))
        {
            query.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var raw = await RawAsync("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        raw.ShouldStartWith("HTTP/1.1 200 OK\r\n");
        raw.ShouldContain("Content-Length: ");
        raw.ShouldEndWith("\r\n\r\n", customMessage: "HEAD has no body");
        int.Parse(raw.Split("Content-Length: ")[1].Split("\r\n")[0], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Other_paths_methods_and_malformed_heads_get_their_status()
    {
        using (var missing = await http.GetAsync(new Uri("/debug/pprof", UriKind.Relative)))
        {
            missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        using (var post = await http.PostAsync(new Uri("/healthz", UriKind.Relative), new StringContent("x")))
        {
            post.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
            post.Content.Headers.Allow.ShouldBe(["GET", "HEAD"]);
        }

        (await RawAsync("GET healthz\r\n\r\n")).ShouldStartWith("HTTP/1.1 400 Bad Request\r\n");
        (await RawAsync("GET /healthz HTTP/1.1\r\n" + new string('a', ProbeServer.MaxHeadBytes) + "\r\n\r\n")).ShouldStartWith("HTTP/1.1 431 ");
        (await RawAsync("GET /healthz HTTP/1.0\n\n")).ShouldStartWith("HTTP/1.1 200 OK\r\n", customMessage: "bare LF line ends (RFC 9112 2.2)");
    }

    [Fact]
    public async Task Clients_that_send_nothing_do_not_hold_up_the_probes()
    {
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < ProbeServer.MaxConnections - 1; i++)
            {
                var client = new TcpClient();
                idle.Add(client);
                await client.ConnectAsync(server.Endpoint!);
                await client.GetStream().WriteAsync("GET /hea"u8.ToArray()); // half a head, then nothing
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            (await http.GetStringAsync(new Uri("/healthz", UriKind.Relative), timeout.Token)).ShouldBe("ok");
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Requests_are_not_logged()
    {
        for (var i = 0; i < 3; i++)
        {
            (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).Dispose();
            (await http.GetAsync(new Uri("/metrics", UriKind.Relative))).Dispose();
        }

        logs.Lines.Where(l => l.Level >= LogLevel.Information).Select(l => l.Text).ShouldBe([$"Serving /healthz, /readyz and /metrics on http://{server.Endpoint}"]);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080", "0.0.0.0", 8080)]
    [InlineData("http://*:8080", "0.0.0.0", 8080)]
    [InlineData("http://+:9090/", "0.0.0.0", 9090)]
    [InlineData("http://[::]:8080", "::", 8080)]
    [InlineData("http://localhost:8081", "127.0.0.1", 8081)]
    [InlineData("http://10.1.2.3", "10.1.2.3", 80)]
    public void Addresses_name_an_endpoint(string address, string ip, int port)
    {
        ProbeAddress.Parse(address).ShouldBe(new IPEndPoint(IPAddress.Parse(ip), port));
    }

    [Theory]
    [InlineData("0.0.0.0:8080", "is not an http:// URL")]
    [InlineData("https://0.0.0.0:8443", "is not an http:// URL")]
    [InlineData("http://0.0.0.0:8080/probes", "has a path or query")]
    [InlineData("http://operator.example:8080", "\"operator.example\" is not an IP address")]
    public void Other_addresses_are_refused_with_the_reason(string address, string reason)
    {
        ProbeAddress.TryParse(address, out _, out var problem).ShouldBeFalse();
        problem.ShouldContain(reason);
        problem.ShouldContain(address);
    }

    private async Task<string> RawAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Endpoint!);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(); // the server closes after its answer
    }

    private sealed class Logs : ILoggerFactory
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Text)> lines = new();

        public IReadOnlyList<(LogLevel Level, string Text)> Lines => [.. lines];

        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<(LogLevel, string)> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}

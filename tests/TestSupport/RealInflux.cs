using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit;

namespace MetricsOperator.TestSupport;

/// <summary>
/// A real InfluxDB 1.6.7 (Debian's <c>influxdb</c> package, installed by hack/test.sh) on free loopback ports with a
/// temporary data folder: its line-protocol parser and InfluxQL engine are the real ones. Only the write path differs
/// from InfluxDB v2 (<c>/write?db=…&amp;precision=ns</c>), which the client tests' <c>LoopbackInflux</c>'s relay mode bridges. The
/// same server the Python client's tests start (clients/python/tests/support/influxd.py); shared by the client tests and the
/// operator's query checks.
/// </summary>
public sealed class RealInflux : IAsyncLifetime
{
    private static readonly string[] Candidates = ["/usr/bin/influxd", "/usr/local/bin/influxd"];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"lsst-metrics-influxd-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private Process? _process;
    private int _databases;

    /// <summary>Whether influxd is installed here (hack/test.sh installs it; hack/run.sh uses it when it is).</summary>
    public static bool IsInstalled => Candidates.Any(File.Exists);

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Url { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var binary = Candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("influxd not found: install Debian's 'influxdb' package (bash hack/test.sh does).");
        Directory.CreateDirectory(_dir);
        var httpPort = FreePort();
        var rpcPort = FreePort();
        var config = Path.Combine(_dir, "influxdb.conf");
        await File.WriteAllTextAsync(config, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{rpcPort}"
            [meta]
              dir = "{_dir}/meta"
            [data]
              dir = "{_dir}/data"
              wal-dir = "{_dir}/wal"
              query-log-enabled = false
            [monitor]
              store-enabled = false
            [http]
              bind-address = "127.0.0.1:{httpPort}"
              log-enabled = false
            [logging]
              level = "error"
            """);
        _process = Process.Start(new ProcessStartInfo(binary, ["run", "-config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Url = $"http://127.0.0.1:{httpPort}";

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"influxd exited with {_process.ExitCode}");
            }

            try
            {
                using var ping = await Http.GetAsync(new Uri($"{Url}/ping"));
                if (ping.StatusCode == HttpStatusCode.NoContent)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("influxd did not answer /ping within 30 s");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A new, empty database (InfluxDB 1.x's bucket).</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var db = $"t{Interlocked.Increment(ref _databases)}";
        await QueryAsync(null, $"CREATE DATABASE \"{db}\"", post: true);
        return db;
    }

    /// <summary>POSTs a body (gzip or not) to the 1.x write path at nanosecond precision; returns InfluxDB's status and body.</summary>
    public async Task<(int Status, string Body)> WriteAsync(string db, byte[] body, string? contentEncoding)
    {
        using var content = new ByteArrayContent(body);
        if (!string.IsNullOrEmpty(contentEncoding))
        {
            content.Headers.ContentEncoding.Add(contentEncoding);
        }

        using var response = await Http.PostAsync(new Uri($"{Url}/write?db={Uri.EscapeDataString(db)}&precision=ns"), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The rows of a query's first statement: column name to value, the series' tags merged in, and <c>_measurement</c>.</summary>
    public async Task<List<Dictionary<string, JsonElement>>> RowsAsync(string db, string query)
    {
        using var doc = await QueryAsync(db, query, post: false);
        var rows = new List<Dictionary<string, JsonElement>>();
        foreach (var statement in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            if (!statement.TryGetProperty("series", out var series))
            {
                continue;
            }

            foreach (var s in series.EnumerateArray())
            {
                var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
                foreach (var values in s.GetProperty("values").EnumerateArray())
                {
                    var row = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                    var i = 0;
                    foreach (var v in values.EnumerateArray())
                    {
                        row[columns[i++]] = v.Clone();
                    }

                    if (s.TryGetProperty("tags", out var tags))
                    {
                        foreach (var t in tags.EnumerateObject())
                        {
                            row[t.Name] = t.Value.Clone();
                        }
                    }

                    row["_measurement"] = s.GetProperty("name").Clone();
                    rows.Add(row);
                }
            }
        }

        return rows;
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Http.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<JsonDocument> QueryAsync(string? db, string query, bool post)
    {
        var form = new Dictionary<string, string> { ["q"] = query, ["epoch"] = "ns" };
        if (db is not null)
        {
            form["db"] = db;
        }

        using var content = new FormUrlEncodedContent(form);
        using var response = post
            ? await Http.PostAsync(new Uri($"{Url}/query"), content)
            : await Http.GetAsync(new Uri($"{Url}/query?{await content.ReadAsStringAsync()}"));
        var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        foreach (var statement in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            if (statement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"InfluxQL error for '{query}': {error.GetString()}");
            }
        }

        return doc;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Reads InfluxQL values back as the client wrote them.</summary>
public static class InfluxValues
{
    public static string? Text(this Dictionary<string, JsonElement> row, string column)
        => row.TryGetValue(column, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static long WholeNumber(this Dictionary<string, JsonElement> row, string column) => row[column].GetInt64();

    /// <summary>A float column, parsed from its JSON text with the round-trip parser (bit-exact).</summary>
    public static double RealNumber(this Dictionary<string, JsonElement> row, string column)
        => double.Parse(row[column].GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
}

using System.Text.RegularExpressions;
using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Core.Exceptions;

namespace Lsst.Metrics.Client;

/// <summary>How a write attempt ended.</summary>
internal enum WriteOutcome
{
    /// <summary>Accepted.</summary>
    Sent,

    /// <summary>Worth retrying (network error, timeout, 5xx, 408, 429).</summary>
    Retry,

    /// <summary>401: the token may have been rotated; re-read it and retry.</summary>
    Unauthorized,

    /// <summary>Refused for good (400, 403, 404, 413): retrying would not help. Some lines may have been stored.</summary>
    Rejected,
}

/// <summary>The result of one write: the outcome, a server's Retry-After, the error, and for a 400 how many lines were not stored.</summary>
internal readonly record struct WriteResult(WriteOutcome Outcome, TimeSpan? RetryAfter = null, string? Error = null, int? RefusedLines = null)
{
    public static readonly WriteResult Sent = new(WriteOutcome.Sent);
}

/// <summary>Sends one batch of line protocol.</summary>
internal interface ILineWriter : IDisposable
{
    /// <summary>Writes <paramref name="lines"/> (newline-separated, <paramref name="count"/> lines) and classifies the result; never throws but for cancellation.</summary>
    Task<WriteResult> WriteAsync(string lines, int count, CancellationToken cancellationToken);

    /// <summary>Re-reads the token after a 401 (from the token file, when one is configured).</summary>
    void ReloadToken();
}

/// <summary>The transport: InfluxDB.Client's <see cref="WriteApiAsync"/>, at nanosecond precision.</summary>
internal sealed partial class InfluxLineWriter : ILineWriter
{
    private readonly MetricsSettings _settings;
    private InfluxDBClient _client;
    private WriteApiAsync _writeApi;
    private string _token;

    public InfluxLineWriter(MetricsSettings settings)
    {
        _settings = settings;
        _token = settings.Token;
        (_client, _writeApi) = Connect(settings, _token);
    }

    public async Task<WriteResult> WriteAsync(string lines, int count, CancellationToken cancellationToken)
    {
        try
        {
            await _writeApi.WriteRecordsAsync([lines], WritePrecision.Ns, _settings.Bucket, _settings.Org, cancellationToken);
            return WriteResult.Sent;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (HttpException e)
        {
            TimeSpan? retryAfter = e.RetryAfter is { } s && s > 0 ? TimeSpan.FromSeconds(s) : null;
            var error = $"HTTP {e.Status}: {e.Message}";
            return e.Status switch
            {
                401 => new WriteResult(WriteOutcome.Unauthorized, null, error),
                408 or 429 => new WriteResult(WriteOutcome.Retry, retryAfter, error),
                400 => new WriteResult(WriteOutcome.Rejected, null, error, RefusedLineCount(e.Message, count)),
                > 400 and < 500 => new WriteResult(WriteOutcome.Rejected, null, error, count),
                _ => new WriteResult(WriteOutcome.Retry, e.Status == 503 ? retryAfter : null, error),
            };
        }
#pragma warning disable CA1031 // The shipper must survive whatever the transport throws.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new WriteResult(WriteOutcome.Retry, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// How many lines of a batch answered with 400 were not stored. InfluxDB stores what it could parse and write
    /// and says what it did not: <c>partial write: … dropped=N</c> for lines the engine refused, plus one
    /// <c>unable to parse '…': …</c> per line the parser refused (InfluxDB 1.6.7 then appends <c>dropped=0</c>; see
    /// docs/point-shape.md). Telegraf's listener refuses the whole body on a parse error, without these markers:
    /// then every line counts as refused.
    /// </summary>
    internal static int RefusedLineCount(string message, int lines)
    {
        var dropped = DroppedPattern().Matches(message);
        var unparsed = UnparsedPattern().Count(message);
        if (dropped.Count == 0 && unparsed == 0)
        {
            return lines;
        }

        long refused = unparsed;
        foreach (Match m in dropped)
        {
            refused += long.TryParse(m.Groups[1].ValueSpan, out var n) ? n : lines;
        }

        return (int)Math.Min(lines, refused);
    }

    public void ReloadToken()
    {
        if (_settings.TokenFile is null)
        {
            return;
        }

        string token;
        try
        {
            token = MetricsSettings.ReadTokenFile(_settings.TokenFile);
        }
        catch (LsstMetricsConfigurationException)
        {
            return; // keep the old token; the file may be mid-update
        }

        if (token == _token)
        {
            return;
        }

        // InfluxDB.Client fixes the token at construction: a rotated token needs a new client.
        var old = _client;
        _token = token;
        (_client, _writeApi) = Connect(_settings, token);
        old.Dispose();
    }

    public void Dispose() => _client.Dispose();

    private static (InfluxDBClient Client, WriteApiAsync WriteApi) Connect(MetricsSettings settings, string token)
    {
        var options = new InfluxDBClientOptions(settings.Url.ToString())
        {
            Token = token,
            Org = settings.Org,
            Bucket = settings.Bucket,
            Timeout = settings.RequestTimeout,
        };
        var client = new InfluxDBClient(options);
        if (settings.Gzip)
        {
            client.EnableGzip();
        }

        return (client, client.GetWriteApiAsync());
    }

    [GeneratedRegex(@"dropped=(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex DroppedPattern();

    [GeneratedRegex("unable to parse", RegexOptions.CultureInvariant)]
    private static partial Regex UnparsedPattern();
}

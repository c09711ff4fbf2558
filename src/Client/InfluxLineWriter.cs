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

    /// <summary>Refused for good (other 4xx): retrying would not help.</summary>
    Rejected,
}

/// <summary>Sends one batch of line protocol.</summary>
internal interface ILineWriter : IDisposable
{
    /// <summary>Writes <paramref name="lines"/> (newline-separated) and classifies the result; never throws but for cancellation.</summary>
    Task<(WriteOutcome Outcome, TimeSpan? RetryAfter, string? Error)> WriteAsync(string lines, CancellationToken cancellationToken);
}

/// <summary>The transport: InfluxDB.Client's <see cref="WriteApiAsync"/>, at nanosecond precision.</summary>
internal sealed class InfluxLineWriter : ILineWriter
{
    private readonly InfluxDBClient _client;
    private readonly WriteApiAsync _writeApi;
    private readonly string _bucket;
    private readonly string _org;

    public InfluxLineWriter(MetricsSettings settings)
    {
        var options = new InfluxDBClientOptions(settings.Url.ToString())
        {
            Token = settings.Token,
            Org = settings.Org,
            Bucket = settings.Bucket,
            Timeout = settings.RequestTimeout,
        };
        _client = new InfluxDBClient(options);
        if (settings.Gzip)
        {
            _client.EnableGzip();
        }

        _writeApi = _client.GetWriteApiAsync();
        _bucket = settings.Bucket;
        _org = settings.Org;
    }

    public async Task<(WriteOutcome Outcome, TimeSpan? RetryAfter, string? Error)> WriteAsync(string lines, CancellationToken cancellationToken)
    {
        try
        {
            await _writeApi.WriteRecordsAsync([lines], WritePrecision.Ns, _bucket, _org, cancellationToken);
            return (WriteOutcome.Sent, null, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (HttpException e)
        {
            TimeSpan? retryAfter = e.RetryAfter is { } s && s > 0 ? TimeSpan.FromSeconds(s) : null;
            var outcome = e.Status switch
            {
                408 or 429 => WriteOutcome.Retry,
                >= 400 and < 500 => WriteOutcome.Rejected,
                _ => WriteOutcome.Retry,
            };
            return (outcome, retryAfter, $"HTTP {e.Status}: {e.Message}");
        }
#pragma warning disable CA1031 // The shipper must survive whatever the transport throws.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (WriteOutcome.Retry, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    public void Dispose() => _client.Dispose();
}

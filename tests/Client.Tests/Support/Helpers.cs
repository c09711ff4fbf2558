using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lsst.Metrics.Client.Tests.Support;

/// <summary>An in-memory transport: keeps every batch and parses it strictly.</summary>
internal sealed class CapturingWriter : ILineWriter
{
    private readonly ConcurrentQueue<string> _batches = new();

    public IReadOnlyCollection<string> Batches => _batches;

    public List<ParsedPoint> Points => [.. _batches.SelectMany(LineProtocolParser.Parse)];

    public List<string> Lines => [.. _batches.SelectMany(b => b.Split('\n'))];

    public Task<WriteResult> WriteAsync(string lines, int count, CancellationToken cancellationToken)
    {
        _batches.Enqueue(lines);
        return Task.FromResult(WriteResult.Sent);
    }

    public void ReloadToken()
    {
    }

    public void Dispose()
    {
    }
}

internal static class TestOptions
{
    /// <summary>A meter name no other test uses (MeterListener is process-wide and tests run in parallel).</summary>
    public static string UniqueMeter(string prefix = "Test") => $"{prefix}.M{Guid.NewGuid():N}";

    public static LsstMetricsOptions For(string url, params string[] meters)
    {
        var options = new LsstMetricsOptions
        {
            Url = url,
            Org = LoopbackInflux.Org,
            Bucket = LoopbackInflux.Bucket,
            Token = LoopbackInflux.Token,
            App = "test-app",
            Environment = "test-env",
            FlushInterval = TimeSpan.FromMilliseconds(50),
            InitialRetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            ObservableInterval = TimeSpan.FromHours(1),
            ReadEnvironment = name => name == "POD_NAME" ? "pod-1" : null,
        };
        foreach (var m in meters)
        {
            options.Meters.Add(m);
        }

        return options;
    }

    /// <summary>A client over an in-memory transport, for mapping tests.</summary>
    public static LsstMetricsClient Capturing(LsstMetricsOptions options, out CapturingWriter writer)
    {
        writer = new CapturingWriter();
        return new LsstMetricsClient(MetricsSettings.Resolve(options), NullLogger.Instance, writer);
    }

    public static long UnixNanosNow() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>
    /// How far before its call a point's timestamp may be: the record clock's age (one kernel tick and its handling,
    /// CoarseClock), plus a millisecond for the wall clock and the monotonic one to disagree. Two ticks: on a virtual
    /// machine the host can deliver a tick late (a CI run saw the clock 7.2–7.9 ms behind with a 4 ms tick).
    /// </summary>
    public static long RecordClockSlackNs { get; } = (CoarseClock.Resolution.Ticks * 100 * 2) + 5_000_000;
}

/// <summary>A transport that accepts every batch and keeps nothing (for tests that record a lot).</summary>
internal sealed class DiscardingWriter : ILineWriter
{
    public Task<WriteResult> WriteAsync(string lines, int count, CancellationToken cancellationToken)
        => Task.FromResult(WriteResult.Sent);

    public void ReloadToken()
    {
    }

    public void Dispose()
    {
    }
}

using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Lsst.Metrics.Client.Bench;

/// <summary>Who listens to the app's instruments while it records.</summary>
public enum Listener
{
    /// <summary>Nobody: the instruments are disabled.</summary>
    None,

    /// <summary>This client, shipping through a transport that discards (the shipper formats every line).</summary>
    LsstClient,

    /// <summary>The OpenTelemetry SDK with the in-memory exporter.</summary>
    OpenTelemetry,
}

/// <summary>Cost of one <c>Counter.Add</c> / <c>Histogram.Record</c> (two tags) under each listener.</summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through GlobalCleanup.")]
public class RecordBenchmarks
{
    private static readonly KeyValuePair<string, object?> Route = new("route", "/login");
    private static readonly KeyValuePair<string, object?> Status = new("status", "200");

    private Meter _meter = null!;
    private Counter<long> _counter = null!;
    private Histogram<double> _histogram = null!;
    private LsstMetricsClient? _client;
    private MeterProvider? _otel;
    private double _value;

    [Params(Listener.None, Listener.LsstClient, Listener.OpenTelemetry)]
    public Listener Listener { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var name = $"Bench.M{Guid.NewGuid():N}";
        _meter = new Meter(name);
        _counter = _meter.CreateCounter<long>("requests");
        _histogram = _meter.CreateHistogram<double>("duration", "ms");
        switch (Listener)
        {
            case Listener.LsstClient:
                var options = new LsstMetricsOptions { Url = "http://127.0.0.1:1", Org = "o", Bucket = "b", Token = "t", App = "bench" };
                options.Meters.Add(name);
                _client = new LsstMetricsClient(MetricsSettings.Resolve(options), NullLogger.Instance, new DiscardingWriter());
                break;
            case Listener.OpenTelemetry:
                _otel = Sdk.CreateMeterProviderBuilder().AddMeter(name).AddInMemoryExporter(new List<Metric>()).Build();
                break;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.Dispose();
        _otel?.Dispose();
        _meter.Dispose();
    }

    [Benchmark]
    public void CounterAdd() => _counter.Add(1, Route, Status);

    [Benchmark]
    public void HistogramRecord() => _histogram.Record(_value += 0.5, Route, Status);
}

/// <summary>A transport that accepts everything at once.</summary>
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

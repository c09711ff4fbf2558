using System.Diagnostics.Metrics;

namespace Lsst.Metrics.Client.Tests;

/// <summary>
/// App code as an app would write it: plain System.Diagnostics.Metrics, nothing from this client or from
/// OpenTelemetry. The tests run it, unchanged, under this client, under the OpenTelemetry SDK, and under both.
/// </summary>
public sealed class SampleApp : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _logins;
    private readonly Histogram<double> _duration;

    public SampleApp(string meterName)
    {
        _meter = new Meter(meterName, "1.0");
        _logins = _meter.CreateCounter<long>("login.attempts", "{attempt}", "Login attempts");
        _duration = _meter.CreateHistogram<double>("login.duration", "ms", "Login duration");
    }

    public void Login(string result, double milliseconds)
    {
        _logins.Add(1, new KeyValuePair<string, object?>("result", result));
        _duration.Record(milliseconds, new KeyValuePair<string, object?>("result", result));
    }

    public void Dispose() => _meter.Dispose();
}

using System.Diagnostics.Metrics;
using Lsst.Metrics.Client.Tests.Support;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Lsst.Metrics.Client.Tests;

public class OpenTelemetryTests
{
    [Fact]
    public void The_app_uses_only_plain_System_Diagnostics_Metrics_types()
    {
        var fieldTypes = typeof(SampleApp).GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic).Select(f => f.FieldType).ToList();
        fieldTypes.ShouldNotBeEmpty();
        fieldTypes.ShouldAllBe(t => t.Namespace == "System.Diagnostics.Metrics");
        fieldTypes.ShouldContain(typeof(Counter<long>));
        fieldTypes.ShouldContain(typeof(Histogram<double>));
    }

    [Fact]
    public async Task The_same_app_code_feeds_the_OpenTelemetry_SDK_and_this_client_side_by_side()
    {
        var meterName = TestOptions.UniqueMeter("Otel");
        var exported = new List<Metric>();
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meterName).AddInMemoryExporter(exported).Build();
        await using var client = TestOptions.Capturing(TestOptions.For("http://127.0.0.1:1", meterName), out var writer);
        using var app = new SampleApp(meterName);

        double[] durations = [12.5, 40, 7.25, 100];
        foreach (var d in durations)
        {
            app.Login("ok", d);
        }

        provider.ForceFlush().ShouldBeTrue();
        await client.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // OpenTelemetry aggregates in the app: one cumulative sum and one bucketed histogram.
        long otelSum = 0;
        foreach (ref readonly var p in exported.Single(m => m.Name == "login.attempts").GetMetricPoints())
        {
            otelSum += p.GetSumLong();
        }

        otelSum.ShouldBe(durations.Length);
        double histogramSum = 0;
        long histogramCount = 0;
        foreach (ref readonly var p in exported.Single(m => m.Name == "login.duration").GetMetricPoints())
        {
            histogramSum += p.GetHistogramSum();
            histogramCount += p.GetHistogramCount();
        }

        histogramCount.ShouldBe(durations.Length);
        histogramSum.ShouldBe(durations.Sum());

        // This client ships every measurement as it was recorded.
        var points = writer.Points;
        points.Count(p => p.Measurement == $"{meterName}.login.attempts").ShouldBe(durations.Length);
        points.Where(p => p.Measurement == $"{meterName}.login.duration").Select(p => p.Fields["value"].FloatValue).ShouldBe(durations);
    }
}
